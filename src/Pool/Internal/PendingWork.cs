namespace Pool.Internal;

/// <summary>
/// What a locked section decided that must happen after the lock is released: waiters to complete,
/// creates to start, connections to destroy. The common case (one waiter or nothing) allocates nothing.
/// </summary>
internal struct PendingWork<TConnection>
{
    private Waiter<TConnection>? _waiter;
    private List<Waiter<TConnection>>? _moreWaiters;
    private ConnectionEntry<TConnection>? _destroy;
    private List<ConnectionEntry<TConnection>>? _moreDestroys;

    /// <summary>Creates whose slots were reserved under the lock.</summary>
    public int CreatesToStart { get; set; }

    private List<Action>? _later;

    /// <summary>The consecutive failures seen when the creates were reserved: they wait that backoff first.</summary>
    public int CreateFailuresBefore { get; set; }

    /// <summary>The pool's generation when the creates were reserved: a Clear before they finish retires them.</summary>
    public long CreateGeneration { get; set; }

    /// <summary>The creates are the fast-fail probe: they wait at least the initial backoff.</summary>
    public bool Probe { get; set; }

    /// <summary>The pool is disposed and its last slot was released: complete this after the lock.</summary>
    public TaskCompletionSource? Drained { get; set; }

    /// <summary>The create that failed in this section (a section settles at most one create): counted and logged after the lock.</summary>
    public Exception? CreateError { get; set; }

    /// <summary>Consecutive create failures, counting <see cref="CreateError"/>.</summary>
    public int ConsecutiveFailures { get; set; }

    /// <summary><see cref="CreateError"/> opened the fast-fail window.</summary>
    public bool WindowOpened { get; set; }

    /// <summary>A successful create closed the fast-fail window.</summary>
    public bool WindowClosed { get; set; }

    public readonly bool IsEmpty =>
        _waiter is null && _destroy is null && CreatesToStart == 0 && Drained is null && _later is null
        && CreateError is null && !WindowClosed;

    /// <summary>How many waiters this work completes.</summary>
    public readonly int WaiterCount => (_waiter is null ? 0 : 1) + (_moreWaiters?.Count ?? 0);

    /// <summary>How many destroys this work starts.</summary>
    public readonly int DestroyCount => (_destroy is null ? 0 : 1) + (_moreDestroys?.Count ?? 0);

    /// <summary>The <paramref name="index"/>-th destroy this work starts (0 … <see cref="DestroyCount"/> − 1), for tests that play the shell.</summary>
    public readonly ConnectionEntry<TConnection> DestroyAt(int index) => index == 0 ? _destroy! : _moreDestroys![index - 1];

    /// <summary>Whether deferred work (warm-up completions or failures) is pending.</summary>
    public readonly bool HasLater => _later is not null;

    /// <summary>Rare work (warm-up completions): allocates, so never on the hot path.</summary>
    public void Later(Action action) => (_later ??= []).Add(action);

    public readonly void RunLater()
    {
        if (_later is not null)
        {
            foreach (var action in _later)
            {
                action();
            }
        }
    }

    public void Deliver(Waiter<TConnection> waiter)
    {
        if (_waiter is null)
        {
            _waiter = waiter;
        }
        else
        {
            (_moreWaiters ??= []).Add(waiter);
        }
    }

    public void Destroy(ConnectionEntry<TConnection> entry)
    {
        if (_destroy is null)
        {
            _destroy = entry;
        }
        else
        {
            (_moreDestroys ??= []).Add(entry);
        }
    }

    public readonly void DeliverWaiters()
    {
        _waiter?.Deliver();
        if (_moreWaiters is not null)
        {
            foreach (var waiter in _moreWaiters)
            {
                waiter.Deliver();
            }
        }
    }

    public readonly void StartDestroys(ConnectionPool<TConnection> pool)
    {
        if (_destroy is not null)
        {
            pool.StartDestroy(_destroy);
        }

        if (_moreDestroys is not null)
        {
            foreach (var entry in _moreDestroys)
            {
                pool.StartDestroy(entry);
            }
        }
    }
}
