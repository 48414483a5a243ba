using System.Diagnostics;

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
    private readonly HashSet<ConnectionEntry<TConnection>> _leased = [];     // lock; leases in use, kept only while leak detection is on

    // The slot counts: Total = _idle + _inUse + _creating + _destroying never exceeds _ceiling (I1).
    private int _inUse;       // lock; leases handed out and not yet returned
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

    public PoolState(ConnectionPool<TConnection>? owner, ConnectionPoolOptions options, long idleTimeoutTicks, long leakThresholdTicks)
    {
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
            if (_disposed)
            {
                reservation.Disposed = true;
            }
            else if (TakeIdle(now, ref work) is { } entry)
            {
                // The queue is empty whenever a connection is idle (I4), so this never jumps the queue.
                reservation.Lease = new PooledConnection<TConnection>(entry, BeginLease(entry, now));
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
    /// waiter or to idle, or is retired when invalidated, disposed, cleared, expired or surplus.
    /// </summary>
    /// <returns>When a lease reported as leaked began, or 0.</returns>
    public long Return(ConnectionEntry<TConnection> entry, bool invalidated, DestroyReason? forced, long now, ref PendingWork<TConnection> work)
    {
        long leakedAt = 0;
        lock (_lock)
        {
            _inUse--;
            if (_leased.Remove(entry) && entry.LeakReported)
            {
                leakedAt = entry.LeasedAt;
            }

            DestroyReason? reason = forced
                ?? (invalidated ? DestroyReason.Invalidated
                : _disposed ? DestroyReason.Disposed
                : entry.Generation != _generation ? DestroyReason.Cleared
                : now >= entry.ExpiresAt ? DestroyReason.Expired
                : Total >= _maxSize ? DestroyReason.Surplus
                : null);
            if (reason is { } why)
            {
                Retire(entry, why, ref work);
            }
            else
            {
                PushIdle(entry, now); // Settle hands it to the oldest waiter, if any
            }

            Settle(ref work);
            AssertInvariants();
        }

        return leakedAt;
    }

    /// <summary>
    /// Leak detection: the stack an acquirer captured (on its own thread) for the lease it now holds.
    /// Attached after the lease is decided, so an acquire that gets nothing never captures one.
    /// </summary>
    public void AttachLeaseSite(ConnectionEntry<TConnection> entry, long leaseId, StackTrace site)
    {
        lock (_lock)
        {
            if (_tracksLeases && entry.IsLeasedBy(leaseId))
            {
                entry.LeaseSite = site;
            }
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
            waiter.Grant_NeedsLock(entry, BeginLease(entry, entry.IdleSince));
            work.Deliver(waiter);
        }

        _ceiling = Math.Max(_maxSize, Math.Min(_ceiling, CeilingFloor));
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

        // I8: factory create calls in flight are the reserved creates plus abandoned ones still running.
        int createCalls = _creating + _abandonedCreates;
        int wanted = _unavailable
            ? (createCalls == 0 ? 1 : 0) // one probe at a time while the backend is down, an abandoned one included
            : Math.Max(_waiters.Count - _creating, _minSize - Total);
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
        _inUse++;
        _counters.Acquired++;
        entry.UsedSince = null; // stamped when the lease reaches its acquirer (a failed validation withdraws it before)
        if (_tracksLeases)
        {
            entry.LeasedAt = now;
            entry.LeaseSite = null; // the acquirer attaches its stack, if sampled, once it holds the lease
            entry.LeakReported = false;
            _leased.Add(entry);
        }

        return entry.BeginLease_NeedsLock();
    }

    /// <summary>Moves a connection to Destroying; the destroy itself starts after the lock.</summary>
    private void Retire(ConnectionEntry<TConnection> entry, DestroyReason reason, ref PendingWork<TConnection> work)
    {
        entry.RequireNoCall("destroyed");
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

    [Conditional("DEBUG")]
    private void AssertInvariants() => PoolInvariants.Assert(SnapshotHeld());
}
