using System.Diagnostics;

namespace Pool.Internal;

/// <summary>
/// One connection the pool owns, from create to destroy, and the leases it serves (up to
/// <see cref="ConnectionPoolOptions.MaxLeasesPerConnection"/> at once). A lease is a (entry, lease id)
/// pair; the lease id names one of the entry's lease slots and a sequence number, and the slot says
/// which lease, if any, holds it, so a stale or copied lease can never return, invalidate or use the
/// connection on behalf of a later lease.
/// </summary>
internal sealed class ConnectionEntry<TConnection>
{
    /// <summary>Low bits of a lease id that name its slot; the rest is the sequence number.</summary>
    public const int SlotBits = 10;

    /// <summary>The most leases one connection may serve at once: what <see cref="SlotBits"/> can name.</summary>
    public const int LeaseLimit = 1 << SlotBits;

    private const long SlotMask = LeaseLimit - 1;
    private const long InvalidatedBit = 1;

    // One per lease slot: 0 when free; otherwise (leaseId << 1) | invalidated. A free slot is claimed with a
    // volatile write under the lock of PoolState (only a slot on the free stack, which no lease holds);
    // after that it changes only with Interlocked.
    private readonly long[] _slots;

    // Guarded by the lock of PoolState: the free slots as a stack (the lease path allocates nothing).
    private readonly int[] _freeSlots;
    private int _free;

    // Guarded by the lock of PoolState: sequence numbers are handed out only under it.
    private long _lastSequence;

    // Per lease slot, for use_time: when the lease reached its acquirer; long.MinValue when not stamped.
    // Written by the lease's holder outside the lock (no one else touches that slot while it holds it).
    private readonly long[] _usedSince;

    // Per lease slot, leak detection's bookkeeping; null while leak detection is off. Guarded by the lock of PoolState.
    private readonly long[]? _leasedAt;
    private readonly StackTrace?[]? _sites;
    private readonly bool[]? _leakReported;

    // 1 while a factory call the pool made on this connection (ValidateAsync) runs; changed with Interlocked only (I11).
    private int _inCall;

    // 1 once a lease invalidated the connection: no lease is placed on it again. Written with Volatile, read under the lock.
    private int _broken;

    public ConnectionEntry(ConnectionPool<TConnection>? owner, TConnection connection, long createdAt, long expiresAt, long generation)
        : this(owner, connection, createdAt, expiresAt, generation, maxLeases: 1, tracksLeases: false)
    {
    }

    public ConnectionEntry(
        ConnectionPool<TConnection>? owner, TConnection connection, long createdAt, long expiresAt, long generation, int maxLeases, bool tracksLeases)
    {
        Owner = owner;
        Connection = connection;
        CreatedAt = createdAt;
        ExpiresAt = expiresAt;
        Generation = generation;
        _slots = new long[maxLeases];
        _usedSince = new long[maxLeases];
        Array.Fill(_usedSince, long.MinValue);
        _freeSlots = new int[maxLeases];
        for (int i = 0; i < maxLeases; i++)
        {
            _freeSlots[i] = maxLeases - 1 - i; // slot 0 on top
        }

        _free = maxLeases;
        if (tracksLeases)
        {
            _leasedAt = new long[maxLeases];
            _sites = new StackTrace?[maxLeases];
            _leakReported = new bool[maxLeases];
        }
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

    /// <summary>The order the pool opened it in (0 for the first): the tie rule of shared placement (oldest first). Set once under the lock, before any lease.</summary>
    public long Order { get; set; }

    /// <summary>The most leases it serves at once.</summary>
    public int MaxLeases => _slots.Length;

    /// <summary>Leases it holds now. Guarded by the lock of <see cref="PoolState{TConnection}"/>.</summary>
    public int Leases => _slots.Length - _free;

    /// <summary>
    /// Why it takes no new leases while leases still hold it (expired, cleared, surplus, invalidated,
    /// disposed): it is destroyed for that reason when its last lease returns. Guarded by the lock.
    /// </summary>
    public DestroyReason? Draining { get; set; }

    /// <summary>The lease whose check on borrow (the 0 → 1 lease out of idle) has not passed yet; 0 when none. No other lease is placed meanwhile. Guarded by the lock; the lease's holder may read it.</summary>
    public long CheckingLease { get; set; }

    /// <summary>Its index in the state machine's list of shared connections holding leases; -1 when not in it. Guarded by the lock.</summary>
    public int HoldingIndex { get; set; } = -1;

    /// <summary>Whether a lease invalidated it.</summary>
    public bool IsBroken => Volatile.Read(ref _broken) != 0;

    /// <summary>Leak detection: the stack of the acquire that holds the first lease slot (the only one when a connection serves one lease), when it was sampled.</summary>
    public StackTrace? LeaseSite => _sites?[0];

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

    /// <summary>The slot a lease id names.</summary>
    public static int SlotOf(long leaseId) => (int)(leaseId & SlotMask);

    /// <summary>Starts a new lease in a free slot. Needs the lock of <see cref="PoolState{TConnection}"/>; the entry must have room.</summary>
    public long BeginLease_NeedsLock(long now)
    {
        RequireNoCall("leased");
        PoolInvariants.Require(_free > 0, PoolInvariants.LeasesWithinLimit, "a lease was placed on a connection that serves its limit already.");
        int slot = _freeSlots[--_free];
        long id = (++_lastSequence << SlotBits) | (long)slot;
        // A plain write: only a lease holding the slot ever compare-and-swaps it, and a free slot has none.
        PoolInvariants.Require(Volatile.Read(ref _slots[slot]) == 0, PoolInvariants.AtMostOnce, "a lease slot was taken while another lease still held it.");
        Volatile.Write(ref _slots[slot], id << 1);
        _usedSince[slot] = long.MinValue; // stamped when the lease reaches its acquirer (a failed validation withdraws it before)
        if (_leasedAt is not null)
        {
            _leasedAt[slot] = now;
            _sites![slot] = null; // the acquirer attaches its stack, if sampled, once it holds the lease
            _leakReported![slot] = false;
        }

        return id;
    }

    /// <summary>Frees the slot of a lease that ended (<see cref="TryEndLease"/>). Needs the lock.</summary>
    /// <returns>When the lease began if it was reported as leaked; otherwise 0.</returns>
    public long FreeSlot_NeedsLock(long leaseId)
    {
        int slot = SlotOf(leaseId);
        PoolInvariants.Require(_free < _slots.Length, PoolInvariants.AtMostOnce, "a lease returned to a connection that held none.");
        _freeSlots[_free++] = slot;
        if (CheckingLease == leaseId)
        {
            CheckingLease = 0;
        }

        return _leakReported is not null && _leakReported[slot] ? _leasedAt![slot] : 0;
    }

    /// <summary>Leak detection: attaches the acquirer's stack to its lease if it still holds it. Needs the lock.</summary>
    public void AttachSite_NeedsLock(long leaseId, StackTrace site)
    {
        if (_sites is not null && IsLeasedBy(leaseId))
        {
            _sites[SlotOf(leaseId)] = site;
        }
    }

    /// <summary>Leak detection: reports once each lease held for <paramref name="thresholdTicks"/> or longer at <paramref name="now"/>. Needs the lock.</summary>
    public void FindLeaks_NeedsLock(long now, long thresholdTicks, ref List<(long LeasedAt, StackTrace? Site)>? leaks)
    {
        if (_leasedAt is null)
        {
            return;
        }

        for (int slot = 0; slot < _slots.Length; slot++)
        {
            if (Volatile.Read(ref _slots[slot]) != 0 && !_leakReported![slot] && now - _leasedAt[slot] >= thresholdTicks)
            {
                _leakReported[slot] = true;
                (leaks ??= []).Add((_leasedAt[slot], _sites![slot]));
            }
        }
    }

    /// <summary>use_time: the lease reached its acquirer at <paramref name="now"/>. Called by the lease's holder.</summary>
    public void StampUse(long leaseId, long now) => _usedSince[SlotOf(leaseId)] = now;

    /// <summary>use_time: when the lease reached its acquirer, if stamped. Read by the lease's holder before it returns the slot.</summary>
    public long? UsedSince(long leaseId) => _usedSince[SlotOf(leaseId)] is var since && since != long.MinValue ? since : null;

    /// <summary>Whether a ValidateAsync on this connection has not returned yet: nothing else may touch it (I11).</summary>
    public bool IsInCall => Volatile.Read(ref _inCall) != 0;

    /// <summary>A ValidateAsync on this connection starts. The connection must be leased (to the check) and in no other call (I11).</summary>
    public void BeginCall(long leaseId)
    {
        PoolInvariants.Require(IsLeasedBy(leaseId), PoolInvariants.OneCallAtATime, "a connection was validated while its lease did not hold it.");
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

    public bool IsLeasedBy(long leaseId) => leaseId != 0 && Volatile.Read(ref _slots[SlotOf(leaseId)]) >> 1 == leaseId;

    /// <summary>Marks the lease's connection broken. False if that lease has already ended.</summary>
    public bool TryInvalidate(long leaseId)
    {
        if (leaseId == 0)
        {
            return false;
        }

        long active = leaseId << 1;
        long seen = Interlocked.CompareExchange(ref _slots[SlotOf(leaseId)], active | InvalidatedBit, active);
        bool held = seen == active || seen == (active | InvalidatedBit);
        if (held)
        {
            // The lease held the slot when it was marked, so its return sees the mark and the
            // connection is destroyed whatever happens: telling placement now stops new leases at once.
            Volatile.Write(ref _broken, 1);
        }

        return held;
    }

    /// <summary>Ends the lease; exactly one caller per lease gets true.</summary>
    public bool TryEndLease(long leaseId, out bool invalidated)
    {
        if (leaseId == 0)
        {
            invalidated = false;
            return false;
        }

        ref long slot = ref _slots[SlotOf(leaseId)];
        while (true)
        {
            long state = Volatile.Read(ref slot);
            if (state >> 1 != leaseId)
            {
                invalidated = false;
                return false;
            }

            if (Interlocked.CompareExchange(ref slot, 0, state) == state)
            {
                invalidated = (state & InvalidatedBit) != 0;
                return true;
            }
        }
    }
}
