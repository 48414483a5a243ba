namespace Pool.Tests.Systematic.Canaries;

/// <summary>
/// A small pool with one lock, FIFO waiters and acquirer-owned creates, correct except for the one
/// <see cref="CanaryBug"/> it is built with. It proves the scenarios have teeth: each must find its bug.
/// Uses only primitives Coyote controls: lock(object), TaskCompletionSource with asynchronous
/// continuations, Task.Run/Yield, CancellationToken.Register and the controlled TimeProvider.
/// </summary>
internal sealed partial class CanaryPool(CanaryBug bug, PoolSpec spec, IConnectionFactory<TestConnection> factory, TimeProvider time) : IPoolUnderTest
{
    private readonly object _lock = new();
    private readonly Stack<TestConnection> _idle = new();   // guarded by _lock
    private readonly LinkedList<Waiter> _waiters = new();    // guarded by _lock
    private readonly List<Task> _destroys = [];              // guarded by _lock
    private int _inUse, _creating, _destroying;              // guarded by _lock
    private long _created, _destroyed, _createFailures;      // guarded by _lock
    private bool _disposed;                                  // guarded by _lock

    private int Total_NeedsLock => _idle.Count + _inUse + _creating + _destroying;

    public async Task<ILeaseHandle> AcquireAsync(TimeSpan? timeout, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Waiter? waiter = null;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_idle.TryPop(out var idle))
            {
                _inUse++;
                return new Handle(this, idle);
            }

            if (Total_NeedsLock < spec.MaxSize)
            {
                if (bug != CanaryBug.CheckThenCreate)
                {
                    _creating++; // Reserve before creating. The CheckThenCreate bug counts only after.
                }
            }
            else
            {
                waiter = new Waiter();
                waiter.Node = _waiters.AddLast(waiter);
            }
        }

        if (waiter is null)
        {
            return await CreateAsync();
        }

        // A null result means: the slot of a failed or destroyed connection is yours, create.
        var connection = await WaitAsync(waiter, timeout, cancellationToken);
        return connection is null ? await CreateAsync() : new Handle(this, connection);
    }

    public bool TryAcquire([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ILeaseHandle? lease)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_idle.TryPop(out var idle))
            {
                _inUse++;
                lease = new Handle(this, idle);
                return true;
            }
        }

        lease = null;
        return false;
    }

    public PoolStatistics GetStatistics()
    {
        lock (_lock)
        {
            return new PoolStatistics
            {
                MaxSize = spec.MaxSize,
                MinSize = spec.MinSize,
                Ceiling = spec.MaxSize,                 // the canary never shrinks
                MaxConcurrentCreates = spec.MaxSize,    // and caps creates only by capacity
                Idle = _idle.Count,
                InUse = _inUse,
                Creating = _creating,
                Destroying = _destroying,
                Waiters = _waiters.Count,
                IsDisposed = _disposed,
                Created = _created,
                Destroyed = _destroyed,
                CreateFailures = _createFailures,
            };
        }
    }

    private async Task<ILeaseHandle> CreateAsync()
    {
        TestConnection connection;
        try
        {
            connection = await factory.CreateAsync(CancellationToken.None);
        }
        catch (Exception ex)
        {
            Waiter? next = null;
            lock (_lock)
            {
                _createFailures++;
                if (bug == CanaryBug.CheckThenCreate)
                {
                    // Nothing was reserved.
                }
                else if (bug == CanaryBug.SlotLeakOnFailedCreate)
                {
                    // The bug: the reserved slot is never given back, and nobody is told.
                }
                else if (bug != CanaryBug.NoWakeUpAfterFailedCreate && _waiters.First is { } first)
                {
                    next = first.Value; // The slot passes to the next waiter, which creates.
                    Dequeue_NeedsLock(next);
                }
                else
                {
                    _creating--; // NoWakeUpAfterFailedCreate: the slot is freed but the waiter sleeps on.
                }
            }

            next?.Completion.TrySetResult(null);
            throw new ConnectionCreateException("The canary could not create a connection.", ex);
        }

        lock (_lock)
        {
            if (bug != CanaryBug.CheckThenCreate)
            {
                _creating--;
            }

            _created++;
            _inUse++;
        }

        return new Handle(this, connection);
    }

    private async Task<TestConnection?> WaitAsync(Waiter waiter, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        // Unregister, never Dispose: Dispose blocks (uncontrolled) while the callback runs.
        var registration = cancellationToken.CanBeCanceled
            ? cancellationToken.Register(() => GiveUp(waiter, new OperationCanceledException(cancellationToken)))
            : default;
        using var timer = timeout is { } due
            ? time.CreateTimer(_ => GiveUp(waiter, new PoolExhaustedException("The canary timed out.")), null, due, Timeout.InfiniteTimeSpan)
            : null;
        try
        {
            return await waiter.Completion.Task;
        }
        finally
        {
            registration.Unregister();
        }
    }

    private void GiveUp(Waiter waiter, Exception error)
    {
        if (bug == CanaryBug.LostHandOffToDeadWaiter)
        {
            // The bug: decide first, leave the queue later. A return in between hands this dead waiter a connection.
            if (waiter.Completion.TrySetException(error))
            {
                lock (_lock)
                {
                    Dequeue_NeedsLock(waiter);
                }
            }

            return;
        }

        lock (_lock)
        {
            if (!Dequeue_NeedsLock(waiter))
            {
                return; // Already granted: the grant stands.
            }
        }

        waiter.Completion.TrySetException(error);
    }

    private bool Dequeue_NeedsLock(Waiter waiter)
    {
        if (waiter.Node is null)
        {
            return false;
        }

        _waiters.Remove(waiter.Node);
        waiter.Node = null;
        return true;
    }

    private sealed class Waiter
    {
        public TaskCompletionSource<TestConnection?> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public LinkedListNode<Waiter>? Node { get; set; }
    }

    private sealed class Handle(CanaryPool pool, TestConnection connection) : ILeaseHandle
    {
        private bool _returned;
        private bool _invalidated;

        public TestConnection Connection => connection;

        public void Return()
        {
            if (!_returned)
            {
                _returned = true;
                pool.Return(connection, _invalidated);
            }
        }

        public void Invalidate() => _invalidated |= !_returned;
    }
}
