namespace Pool.Internal;

/// <summary>
/// An acquirer parked in the FIFO queue. Its outcome is decided under the pool's lock (exactly once,
/// by whoever removes it from the queue) and delivered after the lock is released, with
/// continuations run asynchronously so no user code runs inside the pool.
/// </summary>
internal sealed class Waiter<TConnection> : TaskCompletionSource<PooledConnection<TConnection>>
{
    private ConnectionEntry<TConnection>? _entry;
    private long _leaseId;
    private Exception? _error;
    private CancellationToken _cancelledBy;
    private bool _decided;

    public Waiter(ConnectionPool<TConnection> pool)
        : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        Pool = pool;
    }

    public ConnectionPool<TConnection> Pool { get; }

    /// <summary>The acquire's timeout, for the exhaustion message.</summary>
    public TimeSpan Timeout { get; set; }

    /// <summary>Queue links. Guarded by the pool's lock.</summary>
    public Waiter<TConnection>? Next { get; set; }

    public Waiter<TConnection>? Previous { get; set; }

    public bool IsQueued { get; set; }

    public void Grant_NeedsLock(ConnectionEntry<TConnection> entry)
    {
        Decide();
        _entry = entry;
        _leaseId = entry.BeginLease_NeedsLock();
    }

    /// <summary>Decides a failure. Only whoever removed the waiter from the queue may call it.</summary>
    public void Fail(Exception error)
    {
        Decide();
        _error = error;
    }

    /// <summary>Decides a cancellation. Only whoever removed the waiter from the queue may call it.</summary>
    public void Cancel(CancellationToken token)
    {
        Decide();
        _cancelledBy = token;
    }

    /// <summary>Completes the task with the outcome decided under the lock. Call without the lock.</summary>
    public void Deliver()
    {
        bool delivered;
        if (_entry is not null)
        {
            delivered = TrySetResult(new PooledConnection<TConnection>(_entry, _leaseId));
        }
        else if (_error is not null)
        {
            delivered = TrySetException(_error);
        }
        else
        {
            delivered = TrySetCanceled(_cancelledBy);
        }

        PoolInvariants.Require(delivered, "I3 Conservation across hand-off", "a waiter's outcome was delivered twice.");
    }

    private void Decide()
    {
        PoolInvariants.Require(!_decided && !IsQueued, "I5 Cancellation and timeout are safe", "a waiter was given two outcomes.");
        _decided = true;
    }
}
