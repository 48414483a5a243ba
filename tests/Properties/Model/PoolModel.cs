namespace Pool.Tests.Properties.Model;

/// <summary>
/// A pure, sequential simulation of the pool's documented behaviour, written from the option docs, the
/// README's rules and the invariants note: counts, the idle stack (newest handed out first), the FIFO
/// waiter queue with per-waiter deadlines, creates (backoff, hanging, abandoned at CreateTimeout, stuck
/// calls that outlive their deadline and count against the limits), checks on borrow that hang until
/// answered (the acquirer may leave by cancellation or dispose; the check keeps its connection), shared
/// leases (K per connection, least-busy placement, drains), generation, consecutive failures and the
/// fast-fail window, and every counter of <see cref="PoolStatistics"/>. Each mutating call ends at rest ("settled"), the state the
/// real pool reaches once its background work has run.
/// </summary>
internal sealed class PoolModel
{
    private readonly ModelConfig _cfg;
    private readonly List<MConn> _idle = [];            // [0] oldest, [^1] newest
    private readonly List<MCreate> _creates = [];
    private readonly List<MWaiter> _waiters = [];
    private readonly List<MCreate> _abandoned = [];     // stuck factory calls given up at CreateTimeout, still running
    private readonly List<MCheck> _checks = [];         // held checks on borrow, oldest first
    private readonly List<MConn> _busy = [];            // connections holding at least one lease
    private readonly long[] _destroyedBy = new long[7]; // Invalidated, ValidationFailed, Idle, Expired, Cleared, Surplus, Disposed
    private long _seq;
    private long _callSeq;
    private int _nextConn;
    private int _maxSize, _minSize, _ceiling; // the limits now (the options until a resize moves them); read out only through Statistics

    // What the factory's next calls do, as the test last set them (SetCreate, SetValidate, SetDestroy).
    private CreateMode _createMode;
    private ValidateMode _validateMode;
    private DestroyMode _destroyMode;

    public PoolModel(ModelConfig cfg)
    {
        _cfg = cfg;
        _maxSize = cfg.MaxSize;
        _minSize = cfg.MinSize;
        _ceiling = _maxSize;
        _createMode = cfg.InitialCreateMode;
        _validateMode = cfg.InitialValidateMode;
        Settle();
        Stabilize();
    }

    internal enum Why { Invalidated, ValidationFailed, Idle, Expired, Cleared, Surplus, Disposed }

    public long Now { get; private set; }

    public List<Acq> Acquires { get; } = [];

    public bool Disposed { get; private set; }

    public bool DisposeCompleted => Disposed && Total == 0 && _abandoned.Count == 0;

    public int CreateCalls { get; private set; }

    public int ValidateCalls { get; private set; }

    public int DestroyCalls { get; private set; }

    public int Hung => _creates.Count(c => c.Hung);

    /// <summary>Factory create calls parked by <see cref="CreateMode.Stuck"/>, abandoned ones included.</summary>
    public int StuckCalls => _creates.Count(c => c.Stuck) + _abandoned.Count;

    /// <summary>Checks on borrow held by <see cref="ValidateMode.Hang"/>, whether or not their acquirer still waits.</summary>
    public int HeldChecks => _checks.Count;

    /// <summary>Whether the oldest held check's acquirer has left (cancelled or disposed).</summary>
    public bool OldestCheckLeft => _checks.Count > 0 && !_checks[0].Waiting;

    /// <summary>Acquires waiting for their check on borrow (pending, but not in the queue).</summary>
    public int CheckingAcquires => _checks.Count(c => c.Waiting);

    public int Waiters => _waiters.Count;

    public int Idle => _idle.Count;

    /// <summary>Connections holding at least one lease (K = 1: leases).</summary>
    public int InUse => _busy.Count;

    /// <summary>K: the most leases one connection serves at once.</summary>
    public int MaxLeases => _cfg.MaxLeases;

    private bool Shares => _cfg.MaxLeases > 1;

    private int Total => _idle.Count + InUse + _creates.Count;

    private int CeilingFloor => Math.Max(Total, Total + _abandoned.Count - _cfg.MaxConcurrentCreates);

    private long _generation, _created, _destroyed, _createFailures, _destroyFailures, _acquired, _timedOut, _cancelled, _failedFast, _createTimeouts, _late;
    private int _consecutive, _leases;
    private long _lastNow; // the latest time an operation brought the pool (a return, an acquire, a create, maintenance): what its placement judges expiry by
    private bool _unavailable;

    public bool Unavailable => _unavailable;

    // One line per group of the snapshot: limits, connections and leases now, state, lifetime counts,
    // deadlines and abandoned work, destroys by reason.
    public PoolStatistics Statistics => new()
    {
        MaxSize = _maxSize, MinSize = _minSize, Ceiling = _ceiling, MaxLeasesPerConnection = _cfg.MaxLeases,
        MaxConcurrentCreates = _cfg.MaxConcurrentCreates, // the option; starts are capped by MaxSize too (mcc, where creates start)
        Idle = _idle.Count, InUse = InUse, Creating = _creates.Count, Destroying = 0, Waiters = _waiters.Count,
        Leases = _leases, BusiestConnectionLeases = _busy.Count == 0 ? 0 : _busy.Max(c => c.Leases),
        IsDisposed = Disposed, IsUnavailable = _unavailable, ConsecutiveCreateFailures = _consecutive, Generation = _generation,
        Created = _created, Destroyed = _destroyed, CreateFailures = _createFailures, DestroyFailures = _destroyFailures,
        Acquired = _acquired, TimedOut = _timedOut, Cancelled = _cancelled, FailedFast = _failedFast,
        CreateTimeouts = _createTimeouts, LateConnections = _late, Abandoned = _abandoned.Count, AbandonedCreates = _abandoned.Count,
        DestroyedInvalidated = _destroyedBy[(int)Why.Invalidated], DestroyedValidationFailed = _destroyedBy[(int)Why.ValidationFailed],
        DestroyedIdle = _destroyedBy[(int)Why.Idle], DestroyedExpired = _destroyedBy[(int)Why.Expired],
        DestroyedCleared = _destroyedBy[(int)Why.Cleared], DestroyedSurplus = _destroyedBy[(int)Why.Surplus],
        DestroyedDisposed = _destroyedBy[(int)Why.Disposed],
    };

    // ---------------------------------------------------------------- operations

    public void SetCreate(CreateMode mode) => _createMode = mode;

    public void SetValidate(ValidateMode mode) => _validateMode = mode;

    public void SetDestroy(DestroyMode mode) => _destroyMode = mode;

    /// <summary>An acquire: 0 = the pool's AcquireTimeout.</summary>
    public Acq Acquire(long timeout, bool cancellable)
    {
        var acq = new Acq(Acquires.Count, cancellable);
        Acquires.Add(acq);
        Pursue(acq, timeout == 0 ? _cfg.AcquireTimeout : timeout, Now);
        Stabilize();
        return acq;
    }

    /// <summary>
    /// The acquire loop, from the start or after a failed check: an idle connection (checked if it sat
    /// idle longer than ValidateAfterIdle), a fast failure, or a place in the queue with its deadline.
    /// </summary>
    private void Pursue(Acq acq, long t, long start)
    {
        while (true)
        {
            Touch();
            if (Disposed)
            {
                acq.Outcome = Outcome.Disposed;
                break;
            }

            var conn = TakeIdle();
            if (conn is null && Shares && FewestLeases(Now, withRoom: true) is { } shared)
            {
                // The queue is empty whenever a usable connection has room (I15): this jumps no one.
                Lease(acq, shared);
                Settle();
                break;
            }

            if (conn is not null)
            {
                Lease(acq, conn);
                Settle();
                bool validate = _cfg.CheckEveryBorrow
                    || (_cfg.ValidateAfterIdle != ModelConfig.Inf && Now - conn.IdleSince > _cfg.ValidateAfterIdle);
                if (!validate)
                {
                    break;
                }

                ValidateCalls++;
                if (_validateMode == ValidateMode.Hang)
                {
                    // The check holds the connection (in use) until it is answered; the acquirer waits for it.
                    acq.Outcome = Outcome.Pending;
                    acq.Active = false;
                    _checks.Add(new MCheck(acq, conn, t, start));
                    break;
                }

                if (_validateMode == ValidateMode.Ok)
                {
                    break;
                }

                if (!CheckFailed(acq, conn, t, start))
                {
                    break;
                }

                continue;
            }

            if (_unavailable)
            {
                _failedFast++;
                acq.Outcome = Outcome.Unavailable;
                Settle();
                break;
            }

            _waiters.Add(new MWaiter(acq, t == ModelConfig.Inf ? ModelConfig.Inf : start + t, _seq++));
            Settle();
            break;
        }
    }

    /// <summary>A check its acquirer waited for said no: the connection is destroyed; true if the acquire goes on within its deadline.</summary>
    private bool CheckFailed(Acq acq, MConn conn, long t, long start)
    {
        acq.Active = false;
        acq.Conn = null;
        acq.Outcome = Outcome.Pending;
        Unlease(conn);
        Retire(conn, Why.ValidationFailed);
        Settle();
        long remaining = t == ModelConfig.Inf ? ModelConfig.Inf : t - (Now - start);
        if (remaining <= 0)
        {
            _timedOut++;
            acq.Outcome = Outcome.Exhausted;
            return false;
        }

        return true;
    }

    public Acq TryAcquire()
    {
        var acq = new Acq(Acquires.Count, false);
        Acquires.Add(acq);
        if (Disposed)
        {
            acq.Outcome = Outcome.Disposed;
            return acq;
        }

        Touch();
        var conn = TakeIdle() ?? (Shares ? FewestLeases(Now, withRoom: true) : null);
        if (conn is null)
        {
            acq.Outcome = Outcome.NoLease;
        }
        else
        {
            Lease(acq, conn);
        }

        Settle();
        Stabilize();
        return acq;
    }

    public void Return(Acq acq, bool invalidate)
    {
        if (!acq.Active)
        {
            return;
        }

        var conn = acq.Conn!;
        acq.Active = false;
        Touch();
        conn.Broken |= invalidate;
        Unlease(conn);
        if (conn.Leases > 0)
        {
            // Shared, and other leases still hold it: never destroyed under them; if it may take no new
            // lease (broken, disposed, cleared, expired), it drains and is retired at its last return.
            if (conn.Draining is null && StaleReason(conn, Now) is { } stale)
            {
                conn.Draining = stale;
            }
        }
        else if (conn.Broken)
        {
            Retire(conn, Why.Invalidated);
        }
        else if (conn.DrainedFor is { } drained)
        {
            Retire(conn, drained);
        }
        else
        {
            PutBack(conn);
        }

        Settle();
        Stabilize();
    }

    /// <summary>A connection that ends its lease (or a passed check nobody waits for): retired, or idle from now.</summary>
    private void PutBack(MConn conn)
    {
        Why? why = Disposed ? Why.Disposed
            : conn.Generation != _generation ? Why.Cleared
            : Now >= conn.ExpiresAt ? Why.Expired
            : Total >= _maxSize ? Why.Surplus
            : null;
        if (why is { } w)
        {
            Retire(conn, w);
        }
        else
        {
            conn.IdleSince = Now;
            _idle.Add(conn);
        }
    }

    /// <summary>
    /// Answers the oldest held check. If its acquirer still waits: a pass hands it the lease, a failure
    /// destroys the connection and the acquire goes on. If the acquirer left (cancelled, disposed): a pass
    /// puts the connection back as a return would, a failure destroys it (I11).
    /// </summary>
    public void AnswerCheck(bool valid)
    {
        if (_checks.Count == 0)
        {
            return;
        }

        var check = _checks[0];
        _checks.RemoveAt(0);
        var acq = check.Acq;
        if (check.Waiting)
        {
            if (valid)
            {
                acq.Outcome = Outcome.Lease;
                acq.Active = true;
            }
            else if (CheckFailed(acq, check.Conn, check.Timeout, check.Start))
            {
                Pursue(acq, check.Timeout, check.Start);
            }
        }
        else
        {
            Unlease(check.Conn);
            if (valid)
            {
                PutBack(check.Conn);
            }
            else
            {
                Retire(check.Conn, Why.ValidationFailed);
            }
        }

        Settle();
        Stabilize();
    }

    /// <summary>
    /// The oldest stuck factory create call answers: a connection unless <paramref name="ok"/> is false or
    /// creates currently throw. A call abandoned at CreateTimeout brings a late connection (destroyed at
    /// once, in no slot) or ends quietly; one still holding its slot ends like any create.
    /// </summary>
    public void ReleaseCreate(bool ok)
    {
        var call = _creates.Where(c => c.Stuck).Concat(_abandoned).MinBy(c => c.CallSeq);
        if (call is null)
        {
            return;
        }

        bool made = ok && _createMode != CreateMode.Throw;
        if (_abandoned.Remove(call))
        {
            Touch();
            if (made)
            {
                _late++;
                DestroyCalls++;
                if (_destroyMode == DestroyMode.Throw)
                {
                    _destroyFailures++;
                }
            }
        }
        else
        {
            _creates.Remove(call);
            if (made)
            {
                CreateSucceeded(call);
            }
            else
            {
                CreateFailed();
            }
        }

        Settle();
        Stabilize();
    }

    public void Cancel(Acq acq)
    {
        if (_checks.Find(c => c.Acq == acq && c.Waiting) is { } check && acq.Cancellable)
        {
            // The acquirer leaves at once; the check keeps the connection until it is answered (I11).
            check.Waiting = false;
            _cancelled++;
            acq.Outcome = Outcome.Cancelled;
            Settle();
            Stabilize();
            return;
        }

        int i = _waiters.FindIndex(w => w.Acq == acq);
        if (i < 0 || !acq.Cancellable)
        {
            return;
        }

        _waiters.RemoveAt(i);
        _cancelled++;
        acq.Outcome = Outcome.Cancelled;
        Settle();
        Stabilize();
    }

    public void Clear()
    {
        _generation++;
        RetireAll(Why.Cleared);
        Settle();
        Stabilize();
    }

    /// <summary>False if the pool must reject the value (ArgumentOutOfRangeException, nothing changes).</summary>
    public bool SetMaxSize(int n)
    {
        if (n < 1 || n < _minSize)
        {
            return false;
        }

        _maxSize = n;
        _ceiling = Math.Max(_maxSize, CeilingFloor);
        while (Total > _maxSize && _idle.Count > 0)
        {
            var oldest = _idle[0];
            _idle.RemoveAt(0);
            Retire(oldest, Why.Surplus);
        }

        // Shared: surplus connections with leases drain, the least busy first (they empty soonest).
        int surplus = _idle.Count + InUse - _busy.Count(c => c.Draining is not null) - _maxSize;
        while (Shares && surplus-- > 0 && FewestLeases(_lastNow, withRoom: false) is { } least)
        {
            least.Draining = Why.Surplus;
        }

        Settle();
        Stabilize();
        return true;
    }

    public bool SetMinSize(int n)
    {
        if (n < 0 || n > _maxSize)
        {
            return false;
        }

        _minSize = n;
        Settle();
        Stabilize();
        return true;
    }

    public void RunMaintenance()
    {
        if (Disposed)
        {
            return;
        }

        Touch();
        foreach (var c in _idle.ToList())
        {
            Why? why = c.Generation != _generation ? Why.Cleared
                : Now >= c.ExpiresAt ? Why.Expired
                : _cfg.IdleTimeout != ModelConfig.Inf && Now - c.IdleSince >= _cfg.IdleTimeout && _idle.Count + InUse > _minSize ? Why.Idle
                : null;
            if (why is { } w)
            {
                _idle.Remove(c);
                Retire(c, w);
            }
        }

        // Shared connections with leases that were cleared, expired or broken start draining now.
        foreach (var c in _busy.Where(c => Shares && c.Draining is null))
        {
            c.Draining = StaleReason(c, Now);
        }

        Settle();
        Stabilize();
    }

    public void Dispose()
    {
        if (Disposed)
        {
            return;
        }

        Disposed = true;
        foreach (var w in _waiters)
        {
            w.Acq.Outcome = Outcome.Disposed;
        }

        _waiters.Clear();

        // An acquirer waiting for its check fails at once; the check keeps the connection (I9, I11).
        foreach (var check in _checks.Where(c => c.Waiting))
        {
            check.Waiting = false;
            check.Acq.Outcome = Outcome.Disposed;
        }

        RetireAll(Why.Disposed);
        Settle();

        // The pool's token is cancelled: creates in backoff give their slot back; hanging creates fail;
        // stuck ones ignore the token and keep their slot (and their CreateTimeout deadline) until they answer.
        foreach (var c in _creates.Where(c => !c.Stuck).ToList())
        {
            _creates.Remove(c);
            if (c.Hung)
            {
                CreateFailed();
            }

            Settle();
        }

        Stabilize();
    }

    /// <summary>Moves time forward, firing due events one at a time in (due, rank, creation) order.</summary>
    public void Advance(long delta)
    {
        long target = Now + delta;
        while (NextEvent() is { } e && e.Due <= target)
        {
            Now = Math.Max(Now, e.Due);
            switch (e.Rank)
            {
                case 0:
                    var w = (MWaiter)e.Item;
                    _waiters.Remove(w);
                    _timedOut++;
                    w.Acq.Outcome = Outcome.Exhausted;
                    Settle();
                    break;
                case 1:
                    var hung = (MCreate)e.Item;
                    _creates.Remove(hung);
                    _createTimeouts++;
                    if (hung.Stuck)
                    {
                        _abandoned.Add(hung); // it ignores the cancelled token: still a factory call in flight (I8, I1)
                    }

                    CreateFailed();
                    Settle();
                    break; // a hanging create's token is cancelled: its late failure only ends the abandoned count
                default:
                    ((MCreate)e.Item).BackoffDue = -1;
                    break;
            }

            Stabilize();
        }

        Now = target;
    }

    /// <summary>The next timed event (for the generator to avoid needless work); null if none.</summary>
    public (long Due, int Rank, long Seq, object Item)? NextEvent()
    {
        (long Due, int Rank, long Seq, object Item)? best = null;
        void Consider(long due, int rank, long seq, object item)
        {
            if (due == ModelConfig.Inf || due < 0)
            {
                return;
            }

            if (best is null || (due, rank, seq).CompareTo((best.Value.Due, best.Value.Rank, best.Value.Seq)) < 0)
            {
                best = (due, rank, seq, item);
            }
        }

        foreach (var w in _waiters)
        {
            Consider(w.Due, 0, w.Seq, w);
        }

        foreach (var c in _creates)
        {
            if (c.Hung || c.Stuck)
            {
                Consider(c.TimeoutDue, 1, c.Seq, c);
            }
            else
            {
                Consider(c.BackoffDue, 2, c.Seq, c);
            }
        }

        return best;
    }

    // ---------------------------------------------------------------- internals

    private MConn? TakeIdle()
    {
        while (_idle.Count > 0)
        {
            var c = _idle[^1];
            _idle.RemoveAt(_idle.Count - 1);
            if (c.Generation != _generation)
            {
                Retire(c, Why.Cleared);
            }
            else if (Now >= c.ExpiresAt)
            {
                Retire(c, Why.Expired);
            }
            else
            {
                return c;
            }
        }

        return null;
    }

    private void Lease(Acq acq, MConn conn)
    {
        if (conn.Leases++ == 0)
        {
            _busy.Add(conn);
        }

        _leases++;
        _acquired++;
        acq.Outcome = Outcome.Lease;
        acq.Conn = conn;
        acq.Active = true;
    }

    /// <summary>A lease ends; at the last one the connection holds none (its drain, if any, is over: <see cref="MConn.DrainedFor"/> keeps the reason).</summary>
    private void Unlease(MConn conn)
    {
        conn.Leases--;
        _leases--;
        if (conn.Leases == 0)
        {
            _busy.Remove(conn);
            conn.DrainedFor = conn.Draining;
            conn.Draining = null;
        }
    }

    /// <summary>An operation that reads the clock brings its time to the pool (see <see cref="_lastNow"/>).</summary>
    private void Touch() => _lastNow = Math.Max(_lastNow, Now);

    /// <summary>Why a shared connection with leases may take no new lease now, or null while it may.</summary>
    private Why? StaleReason(MConn c, long now) =>
        c.Broken ? Why.Invalidated
        : Disposed ? Why.Disposed
        : c.Generation != _generation ? Why.Cleared
        : now >= c.ExpiresAt ? Why.Expired
        : null;

    /// <summary>
    /// Shared pools: the usable connection holding leases with the fewest (ties: the oldest), optionally
    /// only one with room below K. Connections found broken, cleared or expired on the way start draining.
    /// </summary>
    private MConn? FewestLeases(long now, bool withRoom)
    {
        MConn? best = null;
        foreach (var c in _busy)
        {
            if (c.Draining is not null || (withRoom && c.Leases >= _cfg.MaxLeases))
            {
                continue;
            }

            if (StaleReason(c, now) is { } why)
            {
                c.Draining = why;
                continue;
            }

            if (best is null || c.Leases < best.Leases || (c.Leases == best.Leases && c.Id < best.Id))
            {
                best = c;
            }
        }

        return best;
    }

    /// <summary>Retires every idle connection (the newest first) and drains those with leases, for <paramref name="why"/>.</summary>
    private void RetireAll(Why why)
    {
        while (_idle.Count > 0)
        {
            var c = _idle[^1];
            _idle.RemoveAt(_idle.Count - 1);
            Retire(c, why);
        }

        DrainAll(why);
    }

    /// <summary>Shared pools: every connection with leases that does not drain yet starts draining for <paramref name="why"/>.</summary>
    private void DrainAll(Why why)
    {
        foreach (var c in _busy.Where(c => c.Draining is null && Shares))
        {
            c.Draining = why;
        }
    }

    /// <summary>Destroy: synchronous in these tests, so the slot is free again at once.</summary>
    private void Retire(MConn c, Why why)
    {
        _ = c;
        _destroyedBy[(int)why]++;
        DestroyCalls++;
        _destroyed++;
        if (_destroyMode == DestroyMode.Throw)
        {
            _destroyFailures++;
        }
    }

    /// <summary>Hands idle connections to the oldest waiters and reserves the creates waiters, MinSize or a probe need.</summary>
    private void Settle()
    {
        while (_waiters.Count > 0 && _idle.Count > 0)
        {
            var c = _idle[^1];
            _idle.RemoveAt(_idle.Count - 1);
            var w = _waiters[0];
            _waiters.RemoveAt(0);
            Lease(w.Acq, c);
        }

        // Shared: a lease freed anywhere, or a new connection's room, serves the oldest waiters (I15, FIFO).
        while (Shares && _waiters.Count > 0 && FewestLeases(_lastNow, withRoom: true) is { } shared)
        {
            var w = _waiters[0];
            _waiters.RemoveAt(0);
            Lease(w.Acq, shared);
        }

        _ceiling = Math.Max(_maxSize, Math.Min(_ceiling, CeilingFloor));
        if (Disposed)
        {
            return;
        }

        // I8: factory calls in flight are the reserved creates plus the abandoned calls still running;
        // I1: slots plus abandoned work stay within MaxSize + MaxConcurrentCreates.
        int calls = _creates.Count + _abandoned.Count;
        int wanted = _unavailable ? (calls == 0 ? 1 : 0) : Math.Max(((_waiters.Count + MaxLeases - 1) / MaxLeases) - _creates.Count, _minSize - Total); // a new connection serves up to K waiters
        int mcc = Math.Min(_cfg.MaxConcurrentCreates, _maxSize);
        int n = Math.Min(wanted, Math.Min(mcc - calls, _maxSize - Total));
        n = Math.Min(n, _maxSize + _cfg.MaxConcurrentCreates - Total - _abandoned.Count);
        for (int i = 0; i < n; i++)
        {
            var backoff = BackoffFor(_consecutive, _unavailable);
            _creates.Add(new MCreate { BackoffDue = backoff <= 0 ? -1 : Now + backoff, Seq = _seq++, Generation = _generation });
        }
    }

    private static long BackoffFor(int failures, bool probe)
    {
        var cap = TimeSpan.Zero;
        if (failures > 0)
        {
            double ticks = Math.Min(ModelConfig.BackoffInitial.Ticks * Math.Pow(2, Math.Min(failures - 1, 30)), ModelConfig.BackoffMax.Ticks);
            cap = TimeSpan.FromTicks((long)ticks);
        }

        var backoff = cap > TimeSpan.Zero ? cap * ModelConfig.RandomValue : TimeSpan.Zero;
        if (probe && backoff < ModelConfig.BackoffInitial)
        {
            backoff = ModelConfig.BackoffInitial;
        }

        return backoff.Ticks;
    }

    /// <summary>Runs every create whose backoff is over until none is left to run (background work reaching rest).</summary>
    private void Stabilize()
    {
        while (_creates.FirstOrDefault(c => !c.Hung && !c.Stuck && c.BackoffDue < 0) is { } c)
        {
            CreateCalls++;
            switch (_createMode)
            {
                case CreateMode.Ok:
                    _creates.Remove(c);
                    CreateSucceeded(c);
                    break;
                case CreateMode.Throw:
                    _creates.Remove(c);
                    CreateFailed();
                    break;
                default:
                    c.Hung = _createMode == CreateMode.Hang;
                    c.Stuck = _createMode == CreateMode.Stuck;
                    c.CallSeq = _callSeq++;
                    c.TimeoutDue = _cfg.CreateTimeout == ModelConfig.Inf ? ModelConfig.Inf : Now + _cfg.CreateTimeout;
                    c.Seq = _seq++;
                    break;
            }

            Settle();
        }
    }

    /// <summary>A create that held its slot brought a connection.</summary>
    private void CreateSucceeded(MCreate c)
    {
        Touch();
        _created++;
        _consecutive = 0;
        _unavailable = false;

        // A create carries the generation of its reservation: one that a Clear() overtook is retired.
        var conn = new MConn(_nextConn++, ExpiryFrom(Now), c.Generation) { IdleSince = Now };
        if (Disposed)
        {
            Retire(conn, Why.Disposed);
        }
        else if (conn.Generation != _generation)
        {
            Retire(conn, Why.Cleared);
        }
        else if (Total >= _maxSize)
        {
            Retire(conn, Why.Surplus);
        }
        else
        {
            _idle.Add(conn);
        }
    }

    private void CreateFailed()
    {
        _createFailures++;
        _consecutive++;
        if (Disposed)
        {
            return;
        }

        if (!_unavailable && _cfg.FailFastAfter > 0 && _consecutive >= _cfg.FailFastAfter)
        {
            _unavailable = true;
            foreach (var w in _waiters)
            {
                _failedFast++;
                w.Acq.Outcome = Outcome.Unavailable;
            }

            _waiters.Clear();
        }
        else if (_waiters.Count > 0)
        {
            _waiters[0].Acq.Outcome = Outcome.CreateFailed;
            _waiters.RemoveAt(0);
        }
    }

    private long ExpiryFrom(long now)
    {
        if (_cfg.MaxLifetime == ModelConfig.Inf)
        {
            return long.MaxValue;
        }

        double shortened = 1 - (ModelConfig.LifetimeJitter * ModelConfig.RandomValue);
        return now + (long)(_cfg.MaxLifetime * shortened);
    }

    internal sealed class Acq(int index, bool cancellable)
    {
        public int Index { get; } = index;

        public bool Cancellable { get; } = cancellable;

        public Outcome Outcome { get; set; }

        public MConn? Conn { get; set; }

        public bool Active { get; set; }
    }

    internal sealed class MConn(int id, long expiresAt, long generation)
    {
        public int Id { get; } = id;

        public long ExpiresAt { get; } = expiresAt;

        public long Generation { get; } = generation;

        public long IdleSince { get; set; }

        /// <summary>Leases it holds now (0 … K).</summary>
        public int Leases { get; set; }

        /// <summary>A lease invalidated it: it takes no new lease and is destroyed at its last return.</summary>
        public bool Broken { get; set; }

        /// <summary>Shared: why it takes no new lease while leases still hold it (retired for that at its last return).</summary>
        public Why? Draining { get; set; }

        /// <summary>The reason its drain ended with: set when its last lease returned.</summary>
        public Why? DrainedFor { get; set; }
    }

    private sealed class MCreate
    {
        public long BackoffDue { get; set; } = -1;

        public long Generation { get; init; }

        public bool Hung { get; set; }

        /// <summary>In a factory call that ignores its token (<see cref="CreateMode.Stuck"/>): only the test ends it.</summary>
        public bool Stuck { get; set; }

        /// <summary>When the factory call started (the kit's gate answers stuck calls in this order).</summary>
        public long CallSeq { get; set; }

        public long TimeoutDue { get; set; } = ModelConfig.Inf;

        public long Seq { get; set; }
    }

    private sealed record MWaiter(Acq Acq, long Due, long Seq);

    /// <summary>A held check on borrow: its connection (in use), and the acquire it was for with that acquire's deadline.</summary>
    private sealed class MCheck(Acq acq, MConn conn, long timeout, long start)
    {
        public Acq Acq { get; } = acq;

        public MConn Conn { get; } = conn;

        public long Timeout { get; } = timeout;

        public long Start { get; } = start;

        /// <summary>False once the acquirer left (cancelled or disposed); the check then judges the connection itself.</summary>
        public bool Waiting { get; set; } = true;
    }
}
