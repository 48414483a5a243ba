namespace Pool.Internal;

/// <summary>
/// One connection the pool owns, from create to destroy. A lease is a (entry, lease id) pair; the
/// entry's lease state says which lease, if any, holds it, so a stale or copied lease can never
/// return, invalidate or use the connection a later lease holds.
/// </summary>
internal sealed class ConnectionEntry<TConnection>
{
    private const long InvalidatedBit = 1;

    // 0 when not leased; otherwise (leaseId << 1) | invalidated. Changed with Interlocked only.
    private long _leaseState;

    // Guarded by the lock of PoolState: ids are handed out only under it.
    private long _lastLeaseId;

    // 1 while a factory call the pool made on this connection (ValidateAsync) runs; changed with Interlocked only (I11).
    private int _inCall;

    public ConnectionEntry(ConnectionPool<TConnection>? owner, TConnection connection, long createdAt, long expiresAt, long generation)
    {
        Owner = owner;
        Connection = connection;
        CreatedAt = createdAt;
        ExpiresAt = expiresAt;
        Generation = generation;
    }

    /// <summary>The pool a lease returns through; null only in the state machine's own tests.</summary>
    public ConnectionPool<TConnection>? Owner { get; }

    public TConnection Connection { get; }

    /// <summary>Timestamp (pool's TimeProvider) of the create.</summary>
    public long CreatedAt { get; }

    /// <summary>Timestamp after which the connection is retired (lifetime minus jitter); long.MaxValue if never.</summary>
    public long ExpiresAt { get; }

    /// <summary>The pool's generation when the connection was created; a Clear retires older ones.</summary>
    public long Generation { get; }

    /// <summary>Lease bookkeeping for leak detection. Guarded by the lock of <see cref="PoolState{TConnection}"/>.</summary>
    public long LeasedAt { get; set; }

    /// <summary>The stack of the acquire that holds the lease, when it was sampled (<see cref="LeaseSites"/>); formatted only if it leaks.</summary>
    public System.Diagnostics.StackTrace? LeaseSite { get; set; }

    public bool LeakReported { get; set; }

    /// <summary>
    /// When the current lease reached its acquirer, for use_time; null when a lease begins, and stays
    /// null unless a listener wants lease times. Written by the acquirer that holds the lease (outside
    /// the lock: no one else can touch a leased entry), read by its return.
    /// </summary>
    public long? UsedSince { get; set; }

    /// <summary>Why the pool retired it. Set under the lock; read after it, when its destroy starts.</summary>
    public DestroyReason RetiredFor { get; set; }

    /// <summary>Its destroy completed. Guarded by the lock of <see cref="PoolState{TConnection}"/>; with <see cref="DestroyAbandoned"/>, exactly one of "completed" and "abandoned at DestroyTimeout" frees the slot.</summary>
    public bool DestroyFinished { get; set; }

    /// <summary>Its destroy passed DestroyTimeout: the slot was freed and the connection counts as abandoned until the destroy completes. Guarded by the lock.</summary>
    public bool DestroyAbandoned { get; set; }

    /// <summary>Links of the idle list that <see cref="PoolState{TConnection}"/> keeps, and the time it went idle. Guarded by its lock.</summary>
    public ConnectionEntry<TConnection>? Older { get; set; }

    public ConnectionEntry<TConnection>? Newer { get; set; }

    public long IdleSince { get; set; }

    public bool IsIdle { get; set; }

    /// <summary>Starts a new lease. Needs the lock of <see cref="PoolState{TConnection}"/>; the entry must not be leased.</summary>
    public long BeginLease_NeedsLock()
    {
        RequireNoCall("leased");
        long id = ++_lastLeaseId;
        long previous = Interlocked.Exchange(ref _leaseState, id << 1);
        PoolInvariants.Require(previous == 0, PoolInvariants.AtMostOnce, "a connection was leased while another lease still held it.");
        return id;
    }

    /// <summary>Whether a ValidateAsync on this connection has not returned yet: nothing else may touch it (I11).</summary>
    public bool IsInCall => Volatile.Read(ref _inCall) != 0;

    /// <summary>A ValidateAsync on this connection starts. The connection must be leased (to the check) and in no other call (I11).</summary>
    public void BeginCall()
    {
        PoolInvariants.Require(Volatile.Read(ref _leaseState) != 0, PoolInvariants.OneCallAtATime, "a connection was validated while no lease held it.");
        PoolInvariants.Require(Interlocked.Exchange(ref _inCall, 1) == 0, PoolInvariants.OneCallAtATime, "a connection was validated while another call on it still ran.");
    }

    /// <summary>The ValidateAsync on this connection has returned (or thrown).</summary>
    public void EndCall() => Volatile.Write(ref _inCall, 0);

    /// <summary>Throws if a call on this connection still runs while the pool is about to <paramref name="what"/> it (I11).</summary>
    public void RequireNoCall(string what)
    {
        if (IsInCall)
        {
            PoolInvariants.Require(false, PoolInvariants.OneCallAtATime, $"a connection was {what} while its ValidateAsync still ran."); // built only when it fails: the lease path allocates nothing
        }
    }

    public bool IsLeasedBy(long leaseId) => leaseId != 0 && Volatile.Read(ref _leaseState) >> 1 == leaseId;

    /// <summary>Marks the lease broken. False if that lease has already ended.</summary>
    public bool TryInvalidate(long leaseId)
    {
        long active = leaseId << 1;
        long seen = Interlocked.CompareExchange(ref _leaseState, active | InvalidatedBit, active);
        return seen == active || seen == (active | InvalidatedBit);
    }

    /// <summary>Ends the lease; exactly one caller per lease gets true.</summary>
    public bool TryEndLease(long leaseId, out bool invalidated)
    {
        while (true)
        {
            long state = Volatile.Read(ref _leaseState);
            if (leaseId == 0 || state >> 1 != leaseId)
            {
                invalidated = false;
                return false;
            }

            if (Interlocked.CompareExchange(ref _leaseState, 0, state) == state)
            {
                invalidated = (state & InvalidatedBit) != 0;
                return true;
            }
        }
    }
}
