using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Pool.Internal;

/// <summary>
/// The pool's state and every decision about it, as one synchronous state machine (the "sans-I/O"
/// shape): <see cref="ConnectionPool{TConnection}"/> is the async shell that reads the clock, runs
/// the factory, arms timers and carries out what this machine decided.
/// </summary>
/// <remarks>
/// <para>Every public method is one operation: it takes the lock, changes the state, settles it (see
/// <see cref="Settle"/>), asserts the invariants (Debug builds) and fills the caller's
/// <see cref="PendingWork{TConnection}"/> with what must happen after the lock (waiters to complete,
/// destroys and creates to start). Every private method runs only under the lock, called from those
/// operations: the rule is structural, not a naming convention.</para>
/// <para>Nothing here awaits, arms a timer, reads a clock (every operation takes <c>now</c>), draws a
/// random number, logs, records a metric or calls the factory: those are user code or I/O, and user
/// code must never run under the lock.</para>
/// <para>This file holds the fields, the lease cycle (reserve, return, settle) and the idle list; the
/// create outcomes and the fast-fail window are in State/PoolState.Creates.cs, waiters leaving the
/// queue in State/PoolState.Waits.cs, clear, resize, maintenance, warm-up and dispose in
/// State/PoolState.Lifecycle.cs.</para>
/// </remarks>
/// <typeparam name="TConnection">The connection type.</typeparam>
internal sealed partial class PoolState<TConnection>
{
    // Set once in the constructor, read without the lock.
    // The pool that leases and waiters point back to (a lease returns through it); null only in the
    // state machine's own tests, which never return a lease through a pool.
    private readonly ConnectionPool<TConnection>? _owner;
    private readonly string _name;                    // the pool's name, for waiters' error messages
    private readonly int _maxConcurrentCreates;       // the option; the effective cap is also bounded by MaxSize
    private readonly int _failFastAfter;              // consecutive create failures that open the window; 0 = never
    private readonly bool _tracksLeases;              // leak detection is on: leases are stamped and kept in _leased
    private readonly long _idleTimeoutTicks;          // timestamp units; long.MaxValue = never
    private readonly long _leakThresholdTicks;        // timestamp units; long.MaxValue = off
    private readonly TimeSpan _backoffInitial;        // RetryAfter of the acquires failed while no probe is scheduled
    private readonly int _maxLeases;                  // MaxLeasesPerConnection: leases one connection serves at once
    private readonly bool _shares;                    // _maxLeases > 1: connections with leases may take more, kept in _holding
    private readonly long _validateAfterIdleTicks;    // timestamp units; long.MaxValue = never, ≤ 0 = every borrow: which 0 → 1 leases are held for their check (shared pools only)

    // The one lock of the pool. Every field below is guarded by it (read and written only inside it);
    // each says so again, with what it means.
    private readonly object _lock = new();

    // The idle connections, an intrusive list through ConnectionEntry.Newer/Older (no allocation per
    // push or pop): acquires take the newest (warm, recently checked); reaping walks from the oldest,
    // so surplus connections can age out.
    private ConnectionEntry<TConnection>? _newestIdle;  // lock; the head: the next connection an acquire gets
    private ConnectionEntry<TConnection>? _oldestIdle;  // lock; the tail: maintenance and shrinking start here
    private int _idle;                                  // lock; the list's length (Idle)

    private readonly WaiterQueue<TConnection> _waiters = new();                 // lock; acquirers waiting, strictly FIFO; whoever removes one decides it (I5)
    private readonly HashSet<ConnectionEntry<TConnection>> _leased = [];     // lock; connections with leases, kept only while leak detection is on

    // Shared pools only (_shares): every connection holding at least one lease, in no order (swap-remove
    // through ConnectionEntry.HoldingIndex); placement scans it for the least busy usable one with room.
    private readonly List<ConnectionEntry<TConnection>> _holding = [];      // lock
    private int _leases;      // lock; leases handed out and not yet returned (= _inUse when one lease per connection)
    private int _draining;    // lock; connections in _holding marked Draining: they take no new lease and are retired at their last return
    private long _lastNow;    // lock; the latest time an operation brought: what Settle judges expiry by when it places a waiter on a shared connection
    private long _opened;     // lock; connections opened so far: each one's Order, the placement tie rule (oldest first)

    // The slot counts: Total = _idle + _inUse + _creating + _destroying never exceeds _ceiling (I1).
    private int _inUse;       // lock; connections holding at least one lease (each serves up to _maxLeases)
    private int _creating;    // lock; slots reserved for creates in flight, including their backoff (I8)
    private int _destroying;  // lock; slots held until the destroy finishes: the backend still holds the connection
    private int _abandoned;   // lock; connections outside the slots: creates abandoned at CreateTimeout still running, late connections being destroyed, destroys abandoned at DestroyTimeout still running; no slot, but dispose waits for them (I9) and they bound new creates (I1)
    private int _abandonedCreates; // lock; the part of _abandoned that is factory create calls still running: they count against MaxConcurrentCreates (I8)

    private int _maxSize;     // lock; MaxSize now (SetMaxSize changes it)
    private int _minSize;     // lock; MinSize now (SetMinSize changes it)
    private int _ceiling;     // lock; MaxSize, or more while surplus leases drain after a shrink; only falls back towards MaxSize
    private long _generation; // lock; bumped by Clear: a connection of an older generation is retired, never handed out

    // The fast-fail window: while open, acquires no idle connection serves fail at once and one probe create at a time runs.
    private int _consecutiveFailures;   // lock; creates failed in a row since the last success
    private Exception? _lastCreateError; // lock; the last create failure, the cause fast-failed acquires report
    private bool _unavailable;          // lock; the window is open (FailFastAfter failures in a row; a success closes it)
    private ProbeSchedule? _probe;      // lock; when the probe dials, as the shell chose it; null until it has, and after any create fails

    private bool _disposed;                         // lock; set once by Dispose, never cleared: no create is reserved after it
    private TaskCompletionSource? _drained;         // lock; made by Dispose, completed after the lock when no slot or abandoned create is left
    private List<TaskCompletionSource>? _warmUps;   // lock; WarmUpAsync callers waiting for MinSize; null when none, so Settle allocates nothing
    private PoolCounters _counters;                 // lock; the running totals for the statistics

    public PoolState(
        ConnectionPool<TConnection>? owner, ConnectionPoolOptions options, long idleTimeoutTicks, long leakThresholdTicks, long validateAfterIdleTicks = long.MaxValue)
    {
        _maxLeases = options.MaxLeasesPerConnection;
        _shares = _maxLeases > 1;
        _validateAfterIdleTicks = validateAfterIdleTicks;
        _owner = owner;
        _name = options.Name;
        _maxConcurrentCreates = options.MaxConcurrentCreates;
        _failFastAfter = options.FailFastAfter;
        _tracksLeases = options.LeakDetectionThreshold is not null;
        _idleTimeoutTicks = idleTimeoutTicks;
        _leakThresholdTicks = leakThresholdTicks;
        _backoffInitial = options.BackoffInitial;
        _maxSize = options.MaxSize;
        _minSize = options.MinSize;
        _ceiling = _maxSize;
    }

    /// <summary>MaxSize now.</summary>
    public int MaxSize
    {
        get
        {
            lock (_lock)
            {
                return _maxSize;
            }
        }
    }

    private int Total => _idle + _inUse + _creating + _destroying;

    private int CreateCap => Math.Min(_maxConcurrentCreates, _maxSize);

    // I1: the backend may hold at most MaxSize + MaxConcurrentCreates of the pool's connections (slots
    // plus abandoned work). After a shrink the ceiling stays above the connections that still exist
    // beyond MaxConcurrentCreates, so that bound, Total + Abandoned ≤ Ceiling + MaxConcurrentCreates,
    // holds at every instant while they drain.
    private int CeilingFloor => Math.Max(Total, Total + _abandoned - _maxConcurrentCreates);

    /// <summary>A consistent snapshot of counts and counters.</summary>
    public PoolStatistics Snapshot()
    {
        lock (_lock)
        {
            return SnapshotHeld();
        }
    }

    /// <summary>Whether the calling thread holds the lock (Debug checks that no callback runs under it).</summary>
    public bool IsLockHeldByCurrentThread()
    {
        try
        {
            return Monitor.IsEntered(_lock);
        }
        catch (SynchronizationLockException)
        {
            // Coyote's model of Monitor throws here when nobody holds the lock.
            return false;
        }
    }

    /// <summary>The first settle of a new pool: reserves the creates MinSize needs.</summary>
    public void Start(ref PendingWork<TConnection> work)
    {
        lock (_lock)
        {
            Settle(ref work);
            AssertInvariants();
        }
    }

    /// <summary>
    /// One acquire attempt: lease the newest idle connection (retiring expired or cleared ones on the
    /// way), else fail fast while the window is open, else join the queue. With no
    /// <paramref name="waitTimeout"/> (TryAcquire) it only takes an idle connection.
    /// </summary>
    public Reservation<TConnection> Reserve(long now, TimeSpan? waitTimeout, ref PendingWork<TConnection> work)
    {
        var reservation = default(Reservation<TConnection>);
        lock (_lock)
        {
            now = Advance(now); // the latest time any operation brought: see Advance
            if (_disposed)
            {
                reservation.Disposed = true;
            }
            else if (TakeIdle(now, ref work) is { } entry)
            {
                // The queue is empty whenever a connection is idle (I4), so this never jumps the queue.
                bool check = _shares && waitTimeout is not null && NeedsCheck(entry, now); // TryAcquire never validates
                long leaseId = BeginLease(entry, now);
                if (check)
                {
                    entry.CheckingLease = leaseId; // no other lease until the check passes (I14)
                }
                else if (_shares)
                {
                    AddHolding(entry);
                }

                reservation.Lease = new PooledConnection<TConnection>(entry, leaseId);
            }
            else if (_shares && FewestLeases(now, withRoom: true) is { } shared)
            {
                // The queue is empty whenever a usable connection has room (I15), so this never jumps the queue.
                reservation.Lease = new PooledConnection<TConnection>(shared, BeginLease(shared, now));
            }
            else if (waitTimeout is not { } timeout)
            {
                // TryAcquire: never waits, never fails fast.
            }
            else if (_unavailable)
            {
                _counters.FailedFast++;
                reservation.UnavailableCause = _lastCreateError;
                reservation.Failures = _consecutiveFailures;
                reservation.Probe = _probe;
            }
            else
            {
                // Enqueued under the same lock that returns connections: no wake-up can be lost (I4).
                reservation.Waiter = new Waiter<TConnection>(_owner, _name) { Timeout = timeout };
                _waiters.Enqueue(reservation.Waiter);
            }

            Settle(ref work);
            AssertInvariants();
        }

        return reservation;
    }

    /// <summary>
    /// Ends a lease whose entry already recorded its end (once, I7): the connection goes to the oldest
    /// waiter or to idle, or is retired when invalidated, disposed, cleared, expired or surplus. A
    /// connection that other leases still hold keeps serving them; if it can no longer take new leases
    /// it drains, and is retired at its last return.
    /// </summary>
    /// <param name="entry">The lease's connection.</param>
    /// <param name="leaseId">The lease that ended: its slot is freed.</param>
    /// <param name="invalidated">The lease invalidated the connection.</param>
    /// <param name="forced">Retire it for this reason (a failed check on borrow, or null).</param>
    /// <param name="now">The time of the return.</param>
    /// <param name="work">Filled with what to do after the lock.</param>
    /// <returns>When a lease reported as leaked began, or 0.</returns>
    public long Return(ConnectionEntry<TConnection> entry, long leaseId, bool invalidated, DestroyReason? forced, long now, ref PendingWork<TConnection> work)
    {
        long leakedAt;
        lock (_lock)
        {
            now = Advance(now); // the latest time any operation brought: see Advance
            leakedAt = entry.FreeSlot_NeedsLock(leaseId);
            _leases--;
            if (entry.Leases > 0)
            {
                // Shared, and other leases still hold it: it is never destroyed under them (I13).
                if (entry.Draining is null && (forced ?? (invalidated ? DestroyReason.Invalidated : StaleReason(entry, now))) is { } why)
                {
                    MarkDraining(entry, why);
                }
            }
            else
            {
                _inUse--;
                if (_tracksLeases)
                {
                    _leased.Remove(entry);
                }

                DestroyReason? reason = forced
                    ?? (invalidated || entry.IsBroken ? DestroyReason.Invalidated
                    : entry.Draining is { } draining ? draining
                    : _disposed ? DestroyReason.Disposed
                    : entry.Generation != _generation ? DestroyReason.Cleared
                    : now >= entry.ExpiresAt ? DestroyReason.Expired
                    : Total >= _maxSize ? DestroyReason.Surplus
                    : null);
                if (_shares)
                {
                    RemoveHolding(entry);
                }

                if (reason is { } why)
                {
                    Retire(entry, why, ref work);
                }
                else
                {
                    PushIdle(entry, now); // Settle hands it to the oldest waiter, if any
                }
            }

            Settle(ref work);
            AssertInvariants();
        }

        return leakedAt;
    }

    /// <summary>
    /// A shared connection's 0 → 1 lease passed its check on borrow (or needed none after all): other
    /// leases may now be placed on it, and Settle places waiters there.
    /// </summary>
    public void CheckPassed(ConnectionEntry<TConnection> entry, long leaseId, long now, ref PendingWork<TConnection> work)
    {
        lock (_lock)
        {
            now = Advance(now); // the latest time any operation brought: see Advance
            if (entry.CheckingLease == leaseId && leaseId != 0)
            {
                entry.CheckingLease = 0;
                AddHolding(entry);
                if (entry.Draining is null && StaleReason(entry, now) is { } why)
                {
                    MarkDraining(entry, why);
                }
            }

            Settle(ref work);
            AssertInvariants();
        }
    }

    /// <summary>
    /// Leak detection: the stack an acquirer captured (on its own thread) for the lease it now holds.
    /// Attached after the lease is decided, so an acquire that gets nothing never captures one.
    /// </summary>
    public void AttachLeaseSite(ConnectionEntry<TConnection> entry, long leaseId, StackTrace site)
    {
        lock (_lock)
        {
            entry.AttachSite_NeedsLock(leaseId, site);
        }
    }

    /// <summary>
    /// Brings the state back to rest after any change: idle connections go to the oldest waiters,
    /// the shrink ceiling follows the connections down, warm-up waiters are told, and slots are
    /// reserved for the creates that waiters, MinSize or the fast-fail probe need.
    /// </summary>
    private void Settle(ref PendingWork<TConnection> work)
    {
        while (_waiters.Count > 0 && PopNewestIdle() is { } entry)
        {
            _waiters.TryDequeue(out var waiter);
            long leaseId = BeginLease(entry, entry.IdleSince);
            if (_shares)
            {
                // Handed from a return or a create: only "validate every borrow" may check it (as the shell decides).
                if (_validateAfterIdleTicks <= 0)
                {
                    entry.CheckingLease = leaseId;
                }
                else
                {
                    AddHolding(entry);
                }
            }

            waiter.Grant_NeedsLock(entry, leaseId);
            work.Deliver(waiter);
        }

        // Shared: a lease freed anywhere, or a new connection's room, serves the oldest waiters (I15, FIFO).
        while (_shares && _waiters.Count > 0 && FewestLeases(_lastNow, withRoom: true) is { } shared)
        {
            _waiters.TryDequeue(out var waiter);
            waiter.Grant_NeedsLock(shared, BeginLease(shared, _lastNow));
            work.Deliver(waiter);
        }

        if (_ceiling != _maxSize)
        {
            _ceiling = Math.Max(_maxSize, Math.Min(_ceiling, CeilingFloor));
        }

        if (_disposed)
        {
            if (Total == 0 && _abandoned == 0 && _drained is { Task.IsCompleted: false })
            {
                work.Drained = _drained;
            }

            return;
        }

        if (_warmUps is not null)
        {
            CompleteWarmUps(ref work);
        }

        int waiting = _waiters.Count;
        if (waiting == 0 && !_unavailable && Total >= _minSize)
        {
            return; // the lease cycle's common case: nobody waits and MinSize is met, so no create is wanted
        }

        // I8: factory create calls in flight are the reserved creates plus abandoned ones still running.
        int createCalls = _creating + _abandonedCreates;
        int wanted = _unavailable
            ? (createCalls == 0 ? 1 : 0) // one probe at a time while the backend is down, an abandoned one included
            : Math.Max(ConnectionsFor(waiting) - _creating, _minSize - Total);
        int creates = Math.Min(wanted, Math.Min(CreateCap - createCalls, _maxSize - Total));
        creates = Math.Min(creates, _maxSize + _maxConcurrentCreates - Total - _abandoned); // I1: the backend's bound
        if (creates > 0)
        {
            _creating += creates;
            work.CreatesToStart += creates;
            work.CreateFailuresBefore = _consecutiveFailures;
            work.Probe = _unavailable;
            work.CreateGeneration = _generation;
        }
    }

    /// <summary>How many new connections <paramref name="waiting"/> waiters need: each serves up to _maxLeases of them.</summary>
    private int ConnectionsFor(int waiting) => _maxLeases == 1 ? waiting : (waiting + _maxLeases - 1) / _maxLeases;

    /// <summary>Pops the newest idle connection, retiring expired or cleared ones on the way; null if none is left.</summary>
    private ConnectionEntry<TConnection>? TakeIdle(long now, ref PendingWork<TConnection> work)
    {
        while (PopNewestIdle() is { } entry)
        {
            if (entry.Generation != _generation)
            {
                Retire(entry, DestroyReason.Cleared, ref work);
            }
            else if (now >= entry.ExpiresAt)
            {
                Retire(entry, DestroyReason.Expired, ref work);
            }
            else
            {
                return entry;
            }
        }

        return null;
    }

    private long BeginLease(ConnectionEntry<TConnection> entry, long now)
    {
        PoolInvariants.Require(
            entry.Draining is null && entry.CheckingLease == 0 && !entry.IsIdle,
            PoolInvariants.OnlyUsableConnectionsTakeLeases,
            "a lease was placed on a connection that drains, is being checked, or is still in the idle list.");
        if (entry.Leases == 0)
        {
            _inUse++;
            if (_tracksLeases)
            {
                _leased.Add(entry);
            }
        }

        _leases++;
        _counters.Acquired++;
        return entry.BeginLease_NeedsLock(now);
    }

    /// <summary>Whether a 0 → 1 lease out of idle at <paramref name="now"/> is checked on borrow (the shell's rule, ValidateAfterIdle).</summary>
    private bool NeedsCheck(ConnectionEntry<TConnection> entry, long now) =>
        _validateAfterIdleTicks != long.MaxValue && now - entry.IdleSince > _validateAfterIdleTicks;

    /// <summary>Why a shared connection with leases may take no new lease now, or null while it may.</summary>
    private DestroyReason? StaleReason(ConnectionEntry<TConnection> entry, long now) =>
        entry.IsBroken ? DestroyReason.Invalidated
        : _disposed ? DestroyReason.Disposed
        : entry.Generation != _generation ? DestroyReason.Cleared
        : now >= entry.ExpiresAt ? DestroyReason.Expired
        : null;

    /// <summary>
    /// Shared pools: the usable connection holding leases with the fewest (ties: the oldest), optionally
    /// only one with room. Connections found broken, cleared or expired on the way start draining.
    /// </summary>
    private ConnectionEntry<TConnection>? FewestLeases(long now, bool withRoom)
    {
        // Every shared take walks this list: a span, and the best so far kept in locals (measured on
        // the shared-lease benchmark); nothing here adds or removes list items, so the span stays valid.
        int limit = withRoom ? _maxLeases : int.MaxValue;
        ConnectionEntry<TConnection>? best = null;
        int bestLeases = int.MaxValue;
        long bestOrder = long.MaxValue;
        foreach (var entry in CollectionsMarshal.AsSpan(_holding))
        {
            int leases = entry.Leases;
            if (leases >= limit || entry.Draining is not null || entry.CheckingLease != 0)
            {
                continue;
            }

            if (StaleReason(entry, now) is { } why)
            {
                MarkDraining(entry, why);
                continue;
            }

            if (leases < bestLeases || (leases == bestLeases && entry.Order < bestOrder))
            {
                best = entry;
                bestLeases = leases;
                bestOrder = entry.Order;
            }
        }

        return best;
    }

    /// <summary>A shared connection with leases takes no new lease from now on; it is retired for <paramref name="why"/> at its last return.</summary>
    private void MarkDraining(ConnectionEntry<TConnection> entry, DestroyReason why)
    {
        entry.Draining = why;
        _draining++;
    }

    private void AddHolding(ConnectionEntry<TConnection> entry)
    {
        if (entry.HoldingIndex < 0)
        {
            entry.HoldingIndex = _holding.Count;
            _holding.Add(entry);
        }
    }

    /// <summary>A shared connection's last lease returned (or its check failed): it leaves the list and its drain ends.</summary>
    private void RemoveHolding(ConnectionEntry<TConnection> entry)
    {
        if (entry.Draining is not null)
        {
            entry.Draining = null;
            _draining--;
        }

        int index = entry.HoldingIndex;
        if (index < 0)
        {
            return; // it was being checked: never placed in the list
        }

        var last = _holding[^1];
        _holding[index] = last;
        last.HoldingIndex = index;
        _holding.RemoveAt(_holding.Count - 1);
        entry.HoldingIndex = -1;
    }

    /// <summary>
    /// Brings the state's clock forward to <paramref name="now"/> and returns the time to judge by:
    /// the latest any operation brought. Callers read the clock before the lock, so an operation can
    /// arrive with a time earlier than one already seen; judging it by its own would, say, put back to
    /// idle a connection another operation already saw expire.
    /// </summary>
    private long Advance(long now)
    {
        if (now > _lastNow)
        {
            _lastNow = now;
        }

        return _lastNow;
    }

    /// <summary>Moves a connection to Destroying; the destroy itself starts after the lock.</summary>
    private void Retire(ConnectionEntry<TConnection> entry, DestroyReason reason, ref PendingWork<TConnection> work)
    {
        entry.RequireNoCall("destroyed");
        PoolInvariants.Require(entry.Leases == 0, PoolInvariants.LeaseConservation, "a connection was destroyed while a lease still held it.");
        _destroying++;
        _counters.Retired(reason);
        entry.RetiredFor = reason; // counted and logged when the destroy starts, after the lock
        work.Destroy(entry);
    }

    private void PushIdle(ConnectionEntry<TConnection> entry, long now)
    {
        PoolInvariants.Require(!entry.IsIdle, PoolInvariants.AtMostOnce, "a connection was put into the idle list twice.");
        entry.RequireNoCall("put back into the idle list");
        entry.IsIdle = true;
        entry.IdleSince = now;
        entry.Newer = null;
        entry.Older = _newestIdle;
        if (_newestIdle is null)
        {
            _oldestIdle = entry;
        }
        else
        {
            _newestIdle.Newer = entry;
        }

        _newestIdle = entry;
        _idle++;
    }

    private ConnectionEntry<TConnection>? PopNewestIdle()
    {
        var entry = _newestIdle;
        if (entry is not null)
        {
            RemoveIdle(entry);
        }

        return entry;
    }

    private void RemoveIdle(ConnectionEntry<TConnection> entry)
    {
        if (entry.Newer is null)
        {
            _newestIdle = entry.Older;
        }
        else
        {
            entry.Newer.Older = entry.Older;
        }

        if (entry.Older is null)
        {
            _oldestIdle = entry.Newer;
        }
        else
        {
            entry.Older.Newer = entry.Newer;
        }

        entry.Newer = null;
        entry.Older = null;
        entry.IsIdle = false;
        _idle--;
    }

    private PoolStatistics SnapshotHeld() => _counters.AddTo(new PoolStatistics
    {
        MaxSize = _maxSize,
        MinSize = _minSize,
        Ceiling = _ceiling,
        MaxConcurrentCreates = _maxConcurrentCreates,
        Idle = _idle,
        InUse = _inUse,
        Leases = _leases,
        BusiestConnectionLeases = BusiestHeld(),
        MaxLeasesPerConnection = _maxLeases,
        Creating = _creating,
        Destroying = _destroying,
        Waiters = _waiters.Count,
        IsDisposed = _disposed,
        IsUnavailable = _unavailable,
        ConsecutiveCreateFailures = _consecutiveFailures,
        Generation = _generation,
        Abandoned = _abandoned,
        AbandonedCreates = _abandonedCreates,
    });

    private int BusiestHeld()
    {
        if (!_shares)
        {
            return _inUse > 0 ? 1 : 0;
        }

        int busiest = _inUse > _holding.Count ? 1 : 0; // a connection held by its check on borrow: one lease
        foreach (var entry in _holding)
        {
            busiest = Math.Max(busiest, entry.Leases);
        }

        return busiest;
    }

    /// <summary>
    /// The per-connection lease rules a snapshot cannot show (I12–I15), checked by walking the
    /// connections holding leases; null when they hold. Takes the lock.
    /// </summary>
    public string? FindLeaseViolation()
    {
        lock (_lock)
        {
            return FindLeaseViolationHeld();
        }
    }

    private string? FindLeaseViolationHeld()
    {
        if (!_shares)
        {
            return _leases == _inUse ? null : $"{PoolInvariants.LeaseConservation} violated: {_leases} leases are out on {_inUse} connections that serve one lease each.";
        }

        int sum = 0;
        int draining = 0;
        int checking = 0;
        foreach (var entry in _holding)
        {
            if (entry.Leases < 1 || entry.Leases > _maxLeases)
            {
                return $"{PoolInvariants.LeasesWithinLimit} violated: a connection in use holds {entry.Leases} leases (limit {_maxLeases}).";
            }

            sum += entry.Leases;
            draining += entry.Draining is null ? 0 : 1;
            if (_waiters.Count > 0 && entry.Draining is null && entry.CheckingLease == 0 && entry.Leases < _maxLeases && StaleReason(entry, _lastNow) is null)
            {
                return $"{PoolInvariants.NoWaiterBesideRoom} violated: {_waiters.Count} waiters are parked while a usable connection holds {entry.Leases} of {_maxLeases} leases.";
            }
        }

        // Connections held by their check on borrow are in use but not in the list: one lease each.
        checking = _inUse - _holding.Count;
        if (sum + checking != _leases || checking < 0)
        {
            return $"{PoolInvariants.LeaseConservation} violated: the connections hold {sum + checking} leases but {_leases} are out.";
        }

        return draining == _draining ? null : $"{PoolInvariants.OnlyUsableConnectionsTakeLeases} violated: {draining} connections drain but {_draining} are counted.";
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        PoolInvariants.Assert(SnapshotHeld());
        if (FindLeaseViolationHeld() is { } violation)
        {
            throw new PoolInvariantException(violation);
        }
    }
}
