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

    /// <summary>Links of the idle list that <see cref="PoolState{TConnection}"/> keeps, and the time it went idle. Guarded by its lock.</summary>
    public ConnectionEntry<TConnection>? Older { get; set; }

    public ConnectionEntry<TConnection>? Newer { get; set; }

    public long IdleSince { get; set; }

    public bool IsIdle { get; set; }

    /// <summary>Starts a new lease. Needs the lock of <see cref="PoolState{TConnection}"/>; the entry must not be leased.</summary>
    public long BeginLease_NeedsLock()
    {
        long id = ++_lastLeaseId;
        long previous = Interlocked.Exchange(ref _leaseState, id << 1);
        PoolInvariants.Require(previous == 0, PoolInvariants.AtMostOnce, "a connection was leased while another lease still held it.");
        return id;
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
