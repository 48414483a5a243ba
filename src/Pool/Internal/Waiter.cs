namespace Pool.Internal;

/// <summary>
/// An acquirer parked in the FIFO queue. Its outcome is decided exactly once, by whoever removes it
/// from the queue under the pool's lock, and delivered after the lock is released, with
/// continuations run asynchronously so no user code runs inside the pool.
/// </summary>
internal sealed class Waiter<TConnection> : TaskCompletionSource<PooledConnection<TConnection>>
{
    private ConnectionEntry<TConnection>? _entry;
    private long _leaseId;
    private Exception? _error;
    private Exception? _cause;
    private int _failures;
    private TimeSpan _retryAfter;
    private Outcome _outcome;
    private CancellationToken _cancelledBy;
    private readonly string _poolName;

    public Waiter(ConnectionPool<TConnection>? pool, string poolName)
        : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        Pool = pool;
        _poolName = poolName;
    }

    private enum Outcome
    {
        Waiting,
        Granted,
        Failed,
        CreateFailed,
        Unavailable,
        Cancelled,
    }

    /// <summary>The pool whose timer and token callbacks take this waiter out of its queue; null only in the state machine's own tests.</summary>
    public ConnectionPool<TConnection>? Pool { get; }

    /// <summary>The acquire's timeout, for the exhaustion message.</summary>
    public TimeSpan Timeout { get; set; }

    /// <summary>Queue links. Guarded by the pool's lock.</summary>
    public Waiter<TConnection>? Next { get; set; }

    public Waiter<TConnection>? Previous { get; set; }

    public bool IsQueued { get; set; }

    public void Grant_NeedsLock(ConnectionEntry<TConnection> entry, long leaseId)
    {
        Decide(Outcome.Granted);
        _entry = entry;
        _leaseId = leaseId;
    }

    /// <summary>Decides a failure. Only whoever removed the waiter from the queue may call these.</summary>
    public void Fail(Exception error)
    {
        Decide(Outcome.Failed);
        _error = error;
    }

    public void FailCreate(Exception cause)
    {
        Decide(Outcome.CreateFailed);
        _cause = cause;
    }

    public void FailUnavailable(Exception cause, int failures, TimeSpan retryAfter)
    {
        Decide(Outcome.Unavailable);
        _cause = cause;
        _failures = failures;
        _retryAfter = retryAfter;
    }

    public void Cancel(CancellationToken token)
    {
        Decide(Outcome.Cancelled);
        _cancelledBy = token;
    }

    /// <summary>Completes the task with the outcome decided under the lock. Call without the lock.</summary>
    public void Deliver()
    {
        bool delivered = _outcome switch
        {
            Outcome.Granted => TrySetResult(new PooledConnection<TConnection>(_entry!, _leaseId)),
            Outcome.Failed => TrySetException(_error!),
            Outcome.CreateFailed => TrySetException(PoolErrors.CreateFailed(_poolName, _cause!)),
            Outcome.Unavailable => TrySetException(PoolErrors.Unavailable(_poolName, _failures, _cause!, _retryAfter)),
            _ => TrySetCanceled(_cancelledBy),
        };
        PoolInvariants.Require(delivered, PoolInvariants.Conservation, "a waiter's outcome was delivered twice.");
    }

    private void Decide(Outcome outcome)
    {
        PoolInvariants.Require(_outcome == Outcome.Waiting && !IsQueued, PoolInvariants.CancellationIsSafe, "a waiter was given two outcomes.");
        _outcome = outcome;
    }
}
