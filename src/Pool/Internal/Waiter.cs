namespace Pool.Internal;

/// <summary>
/// An acquirer parked in the FIFO queue. Its outcome is decided exactly once, by whoever removes it
/// from the queue under the pool's lock, and delivered after the lock is released, with
/// continuations run asynchronously so no user code runs inside the pool.
/// </summary>
/// <remarks>
/// Every wait allocates one of these and its task, so the fields are kept few (the hand-off
/// benchmark's bytes per wait): a refusal's details live in one object made only when it is refused.
/// </remarks>
internal sealed class Waiter<TConnection> : TaskCompletionSource<PooledConnection<TConnection>>
{
    private const int NotArmed = 0;
    private const int Armed = 1;
    private const int Delivered = 2;

    // The pool (whose timer and token callbacks take this waiter out of its queue), or only the pool's
    // name in the state machine's own tests, which have no pool: refusals name the pool.
    private readonly object _poolOrName;

    private ConnectionEntry<TConnection>? _entry;
    private long _leaseId;
    private Outcome _outcome;

    // Failed: the Exception; CreateFailed: its cause (an Exception); Unavailable: a Refusal;
    // Cancelled: the boxed token. Null while waiting or granted.
    private object? _refusal;

    // The wait's deadline timer and token registration. The acquirer arms them after the waiter is
    // queued, outside the lock, and whoever delivers the outcome may come first: _armState decides,
    // with one interlocked step on each side, which of the two releases them (exactly one does), so
    // the acquirer can hand its caller this waiter's task itself, with no async method around it.
    private int _armState;
    private ITimer? _deadline;
    private CancellationTokenRegistration _registration;

    public Waiter(ConnectionPool<TConnection>? pool, string poolName)
        : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        _poolOrName = (object?)pool ?? poolName;
    }

    private enum Outcome : byte // a byte, so it packs beside IsQueued: 8 bytes fewer per wait
    {
        Waiting,
        Granted,
        Failed,
        CreateFailed,
        Unavailable,
        Cancelled,
    }

    /// <summary>The pool whose timer and token callbacks take this waiter out of its queue; null only in the state machine's own tests.</summary>
    public ConnectionPool<TConnection>? Pool => _poolOrName as ConnectionPool<TConnection>;

    /// <summary>The acquire's timeout, for the exhaustion message.</summary>
    public TimeSpan Timeout { get; set; }

    /// <summary>Queue links. Guarded by the pool's lock.</summary>
    public Waiter<TConnection>? Next { get; set; }

    public Waiter<TConnection>? Previous { get; set; }

    public bool IsQueued { get; set; }

    private string PoolName => Pool?.Name ?? (string)_poolOrName;

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
        _refusal = error;
    }

    public void FailCreate(Exception cause)
    {
        Decide(Outcome.CreateFailed);
        _refusal = cause;
    }

    public void FailUnavailable(Exception cause, int failures, TimeSpan retryAfter)
    {
        Decide(Outcome.Unavailable);
        _refusal = new Refusal(cause, failures, retryAfter);
    }

    public void Cancel(CancellationToken token)
    {
        Decide(Outcome.Cancelled);
        _refusal = token;
    }

    /// <summary>
    /// The acquirer armed the wait's deadline and cancellation (after it queued the waiter, without the
    /// lock). If the outcome was delivered meanwhile, they are released here; otherwise delivery does it.
    /// </summary>
    public void Arm(ITimer? deadline, CancellationTokenRegistration registration)
    {
        _deadline = deadline;
        _registration = registration;
        if (Interlocked.CompareExchange(ref _armState, Armed, NotArmed) != NotArmed)
        {
            ReleaseArming();
        }
    }

    /// <summary>Completes the task with the outcome decided under the lock. Call without the lock.</summary>
    public void Deliver()
    {
        // Before the task completes, so the acquirer's continuation finds the timer and registration gone.
        if (Interlocked.Exchange(ref _armState, Delivered) == Armed)
        {
            ReleaseArming();
        }

        bool delivered = _outcome switch
        {
            Outcome.Granted => TrySetResult(new PooledConnection<TConnection>(_entry!, _leaseId)),
            Outcome.Failed => TrySetException((Exception)_refusal!),
            Outcome.CreateFailed => TrySetException(PoolErrors.CreateFailed(PoolName, (Exception)_refusal!)),
            Outcome.Unavailable => TrySetException(((Refusal)_refusal!).ToException(PoolName)),
            _ => TrySetCanceled((CancellationToken)_refusal!),
        };
        PoolInvariants.Require(delivered, PoolInvariants.Conservation, "a waiter's outcome was delivered twice.");
    }

    /// <summary>Unregister, not Dispose: Dispose would wait for a running callback, and delivery may run inside it.</summary>
    private void ReleaseArming()
    {
        _registration.Unregister();
        GuardedClock.Dispose(_deadline);
        _deadline = null;
    }

    private void Decide(Outcome outcome)
    {
        PoolInvariants.Require(_outcome == Outcome.Waiting && !IsQueued, PoolInvariants.CancellationIsSafe, "a waiter was given two outcomes.");
        _outcome = outcome;
    }

    /// <summary>Why an acquire was refused while the fast-fail window was open.</summary>
    private sealed record Refusal(Exception Cause, int Failures, TimeSpan RetryAfter)
    {
        public PoolUnavailableException ToException(string poolName) => PoolErrors.Unavailable(poolName, Failures, Cause, RetryAfter);
    }
}
