namespace Pool.Benchmarks.Peers;

/// <summary>
/// A C# port of the Python asyncio pool this project started from (the one reviewed as BUG-291; see
/// the invariants note), kept with its design and, on purpose, its weaknesses:
/// <list type="bullet">
/// <item>Check-then-create: <c>created &lt; max</c> is checked under the lock, the lock is released,
/// the create runs, and only then is the counter raised. Concurrent acquirers that all see room all
/// create, so it overshoots MaxSize while creates are in flight (the review's bug 1). The benchmarks
/// warm it one connection at a time, so it never holds more than MaxSize in them.</item>
/// <item>Create per acquirer: every acquirer that sees room dials its own connection; nothing bounds
/// concurrent creates and a create serves only the acquirer that made it.</item>
/// <item>A waiter waits on a condition (<c>asyncio.Condition</c>: notify one per return). The returned
/// connection goes to the idle list, not to the woken waiter, so an acquirer that arrives before the
/// woken waiter runs takes it (barging), and the woken waiter goes back to wait at the end of the
/// line: there is no FIFO, and a task that returns and re-acquires keeps its connection.</item>
/// </list>
/// The asyncio lock is never held across an await in this design, so a monitor is its faithful
/// equivalent on a multi-threaded runtime. Idle connections are a Python list used as a stack.
/// </summary>
internal sealed class PythonPortPool<T>
    where T : class
{
    private readonly Func<CancellationToken, ValueTask<T>> _create;
    private readonly int _maxSize;
    private readonly object _lock = new();
    private readonly Stack<T> _idle = new();                          // guarded by _lock
    private readonly LinkedList<TaskCompletionSource> _waiters = new(); // the condition's waiters; guarded by _lock
    private int _created;                                            // guarded by _lock

    public PythonPortPool(Func<CancellationToken, ValueTask<T>> create, int maxSize)
    {
        _create = create;
        _maxSize = maxSize;
    }

    public async ValueTask<T> AcquireAsync(CancellationToken cancellationToken)
    {
        bool canCreate;
        lock (_lock)
        {
            if (_idle.TryPop(out var idle))
            {
                return idle;
            }

            canCreate = _created < _maxSize;
        }

        if (canCreate)
        {
            // The lock is not held here: every acquirer that saw room is creating now (overshoot).
            var connection = await _create(cancellationToken).ConfigureAwait(false);
            lock (_lock)
            {
                _created++;
            }

            return connection;
        }

        // async with self._available: while not self._idle: await self._available.wait()
        while (true)
        {
            LinkedListNode<TaskCompletionSource> node;
            lock (_lock)
            {
                if (_idle.TryPop(out var idle))
                {
                    return idle;
                }

                node = _waiters.AddLast(new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            }

            try
            {
                await node.Value.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // asyncio's Condition.wait() removes a cancelled waiter, and passes on a notification it got meanwhile.
                TaskCompletionSource? passOn = null;
                lock (_lock)
                {
                    if (node.List is not null)
                    {
                        _waiters.Remove(node);
                    }
                    else
                    {
                        passOn = NotifyOne_NeedsLock();
                    }
                }

                passOn?.TrySetResult();
                throw;
            }
        }
    }

    public void Release(T connection)
    {
        TaskCompletionSource? wake;
        lock (_lock)
        {
            _idle.Push(connection);
            wake = NotifyOne_NeedsLock();
        }

        wake?.TrySetResult();
    }

    private TaskCompletionSource? NotifyOne_NeedsLock()
    {
        var first = _waiters.First;
        if (first is null)
        {
            return null;
        }

        _waiters.RemoveFirst();
        return first.Value;
    }
}
