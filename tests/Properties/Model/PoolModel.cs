namespace Pool.Tests.Properties.Model;

/// <summary>
/// A pure, sequential simulation of the pool's documented behaviour, written from the option docs and
/// the invariants note, with no reference to the pool's code paths: counts, the idle stack (newest
/// handed out first), the FIFO waiter queue with per-waiter deadlines, creates (backoff, hanging,
/// abandoned at CreateTimeout), generation, consecutive failures and the fast-fail window, and every
/// counter of <see cref="PoolStatistics"/>. Each mutating call ends at rest ("settled"), the state the
/// real pool reaches once its background work has run.
/// </summary>
internal sealed class PoolModel
{
    private readonly ModelConfig _cfg;
    private readonly List<MConn> _idle = [];            // [0] oldest, [^1] newest
    private readonly List<MCreate> _creates = [];
    private readonly List<MWaiter> _waiters = [];
    private readonly long[] _destroyedBy = new long[7]; // Invalidated, ValidationFailed, Idle, Expired, Cleared, Surplus, Disposed
    private long _seq;
    private int _nextConn;

    public PoolModel(ModelConfig cfg)
    {
        _cfg = cfg;
        MaxSize = cfg.MaxSize;
        MinSize = cfg.MinSize;
        Ceiling = MaxSize;
        Settle();
        Stabilize();
    }

    private enum Why { Invalidated, ValidationFailed, Idle, Expired, Cleared, Surplus, Disposed }

    public long Now { get; private set; }

    public List<Acq> Acquires { get; } = [];

    public CreateMode CreateMode { get; private set; }

    public ValidateMode ValidateMode { get; private set; }

    public DestroyMode DestroyMode { get; private set; }

    public int MaxSize { get; private set; }

    public int MinSize { get; private set; }

    public int Ceiling { get; private set; }

    public bool Disposed { get; private set; }

    public bool DisposeCompleted => Disposed && Total == 0;

    public int CreateCalls { get; private set; }

    public int ValidateCalls { get; private set; }

    public int DestroyCalls { get; private set; }

    public int Hung => _creates.Count(c => c.Hung);

    public int Waiters => _waiters.Count;

    public int Idle => _idle.Count;

    public int InUse { get; private set; }

    private int Total => _idle.Count + InUse + _creates.Count;

    private long _generation, _created, _destroyed, _createFailures, _destroyFailures, _acquired, _timedOut, _cancelled, _failedFast, _createTimeouts;
    private int _consecutive;
    private bool _unavailable;

    public bool Unavailable => _unavailable;

    public PoolStatistics Statistics => new()
    {
        MaxSize = MaxSize,
        MinSize = MinSize,
        Ceiling = Ceiling,
        MaxConcurrentCreates = _cfg.MaxConcurrentCreates, // the option; starts are capped by MaxSize too (line below)
        Idle = _idle.Count,
        InUse = InUse,
        Creating = _creates.Count,
        Destroying = 0,
        Waiters = _waiters.Count,
        IsDisposed = Disposed,
        IsUnavailable = _unavailable,
        ConsecutiveCreateFailures = _consecutive,
        Generation = _generation,
        Created = _created,
        Destroyed = _destroyed,
        CreateFailures = _createFailures,
        DestroyFailures = _destroyFailures,
        Acquired = _acquired,
        TimedOut = _timedOut,
        Cancelled = _cancelled,
        FailedFast = _failedFast,
        CreateTimeouts = _createTimeouts,
        LateConnections = 0,
        Abandoned = 0,
        DestroyedInvalidated = _destroyedBy[(int)Why.Invalidated],
        DestroyedValidationFailed = _destroyedBy[(int)Why.ValidationFailed],
        DestroyedIdle = _destroyedBy[(int)Why.Idle],
        DestroyedExpired = _destroyedBy[(int)Why.Expired],
        DestroyedCleared = _destroyedBy[(int)Why.Cleared],
        DestroyedSurplus = _destroyedBy[(int)Why.Surplus],
        DestroyedDisposed = _destroyedBy[(int)Why.Disposed],
    };

    // ---------------------------------------------------------------- operations

    public void SetCreate(CreateMode mode) => CreateMode = mode;

    public void SetValidate(ValidateMode mode) => ValidateMode = mode;

    public void SetDestroy(DestroyMode mode) => DestroyMode = mode;

    /// <summary>An acquire: 0 = the pool's AcquireTimeout.</summary>
    public Acq Acquire(long timeout, bool cancellable)
    {
        var acq = new Acq(Acquires.Count, cancellable);
        Acquires.Add(acq);
        long t = timeout == 0 ? _cfg.AcquireTimeout : timeout;
        long start = Now;
        while (true)
        {
            if (Disposed)
            {
                acq.Outcome = Outcome.Disposed;
                break;
            }

            var conn = TakeIdle();
            if (conn is not null)
            {
                Lease(acq, conn);
                Settle();
                bool validate = _cfg.ValidateAfterIdle != ModelConfig.Inf && Now - conn.IdleSince > _cfg.ValidateAfterIdle;
                if (!validate)
                {
                    break;
                }

                ValidateCalls++;
                if (ValidateMode == ValidateMode.Ok)
                {
                    break;
                }

                // Failed check: destroyed, and the same acquire goes on within its deadline.
                acq.Active = false;
                acq.Conn = null;
                acq.Outcome = Outcome.Pending;
                InUse--;
                Retire(conn, Why.ValidationFailed);
                Settle();
                long remaining = t == ModelConfig.Inf ? ModelConfig.Inf : t - (Now - start);
                if (remaining <= 0)
                {
                    _timedOut++;
                    acq.Outcome = Outcome.Exhausted;
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

        Stabilize();
        return acq;
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

        var conn = TakeIdle();
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
        InUse--;
        Why? why = invalidate ? Why.Invalidated
            : Disposed ? Why.Disposed
            : conn.Generation != _generation ? Why.Cleared
            : Now >= conn.ExpiresAt ? Why.Expired
            : Total >= MaxSize ? Why.Surplus
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

        Settle();
        Stabilize();
    }

    public void Cancel(Acq acq)
    {
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
        while (_idle.Count > 0)
        {
            var c = _idle[^1];
            _idle.RemoveAt(_idle.Count - 1);
            Retire(c, Why.Cleared);
        }

        Settle();
        Stabilize();
    }

    /// <summary>False if the pool must reject the value (ArgumentOutOfRangeException, nothing changes).</summary>
    public bool SetMaxSize(int n)
    {
        if (n < 1 || n < MinSize)
        {
            return false;
        }

        MaxSize = n;
        Ceiling = Math.Max(MaxSize, Total);
        while (Total > MaxSize && _idle.Count > 0)
        {
            var oldest = _idle[0];
            _idle.RemoveAt(0);
            Retire(oldest, Why.Surplus);
        }

        Settle();
        Stabilize();
        return true;
    }

    public bool SetMinSize(int n)
    {
        if (n < 0 || n > MaxSize)
        {
            return false;
        }

        MinSize = n;
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

        foreach (var c in _idle.ToList())
        {
            Why? why = c.Generation != _generation ? Why.Cleared
                : Now >= c.ExpiresAt ? Why.Expired
                : _cfg.IdleTimeout != ModelConfig.Inf && Now - c.IdleSince >= _cfg.IdleTimeout && _idle.Count + InUse > MinSize ? Why.Idle
                : null;
            if (why is { } w)
            {
                _idle.Remove(c);
                Retire(c, w);
            }
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
        while (_idle.Count > 0)
        {
            var c = _idle[^1];
            _idle.RemoveAt(_idle.Count - 1);
            Retire(c, Why.Disposed);
        }

        Settle();

        // The pool's token is cancelled: creates in backoff give their slot back; hanging creates fail.
        foreach (var c in _creates.ToList())
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
                    CreateFailed();
                    Settle();
                    break; // the factory's token is cancelled: its late failure only ends the abandoned count
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
            if (c.Hung)
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
        InUse++;
        _acquired++;
        acq.Outcome = Outcome.Lease;
        acq.Conn = conn;
        acq.Active = true;
    }

    /// <summary>Destroy: synchronous in these tests, so the slot is free again at once.</summary>
    private void Retire(MConn c, Why why)
    {
        _ = c;
        _destroyedBy[(int)why]++;
        DestroyCalls++;
        _destroyed++;
        if (DestroyMode == DestroyMode.Throw)
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

        Ceiling = Math.Max(MaxSize, Math.Min(Ceiling, Total));
        if (Disposed)
        {
            return;
        }

        int wanted = _unavailable ? (_creates.Count == 0 ? 1 : 0) : Math.Max(_waiters.Count - _creates.Count, MinSize - Total);
        int mcc = Math.Min(_cfg.MaxConcurrentCreates, MaxSize);
        int n = Math.Min(wanted, Math.Min(mcc - _creates.Count, MaxSize - Total));
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
        while (_creates.FirstOrDefault(c => !c.Hung && c.BackoffDue < 0) is { } c)
        {
            CreateCalls++;
            switch (CreateMode)
            {
                case CreateMode.Ok:
                    _creates.Remove(c);
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
                    else if (Total >= MaxSize)
                    {
                        Retire(conn, Why.Surplus);
                    }
                    else
                    {
                        _idle.Add(conn);
                    }

                    break;
                case CreateMode.Throw:
                    _creates.Remove(c);
                    CreateFailed();
                    break;
                default:
                    c.Hung = true;
                    c.TimeoutDue = _cfg.CreateTimeout == ModelConfig.Inf ? ModelConfig.Inf : Now + _cfg.CreateTimeout;
                    c.Seq = _seq++;
                    break;
            }

            Settle();
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
    }

    private sealed class MCreate
    {
        public long BackoffDue { get; set; } = -1;

        public long Generation { get; init; }

        public bool Hung { get; set; }

        public long TimeoutDue { get; set; } = ModelConfig.Inf;

        public long Seq { get; set; }
    }

    private sealed record MWaiter(Acq Acq, long Due, long Seq);
}
