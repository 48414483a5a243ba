namespace Pool.Tests.Properties.ModelCanary;

/// <summary>
/// A small single-threaded pool with one planted bug, behind the same adapter as the real pool. It
/// supports the restricted operation set (acquire with timeout and token, try-acquire, return,
/// invalidate, cancel, advance, factory outcomes) with the same FIFO, backoff and counting rules, so the
/// model predicts it exactly except where the bug bites.
/// </summary>
internal sealed class CanaryPool : ILockstepPool
{
    private readonly SteppedClock _time = new();
    private readonly ModelConfig _cfg;
    private readonly CanaryBug _bug;
    private readonly List<TestConnection> _idle = [];
    private readonly List<CanaryWaiter> _waiters = [];
    private readonly Dictionary<int, Outcome> _outcomes = [];
    private readonly Dictionary<int, TestConnection> _leases = [];
    private readonly Dictionary<int, CanaryWaiter> _byId = [];
    private int _inUse, _creating, _consecutive;
    private long _created, _destroyed, _acquired;

    public CanaryPool(ModelConfig cfg, CanaryBug bug)
    {
        _cfg = cfg;
        _bug = bug;
    }

    public FakeFactory Factory { get; } = new();

    public bool DisposeCompleted => false;

    private int Total => _idle.Count + _inUse + _creating;

    private int LiveWaiters => _waiters.Count(w => !w.Dead);

    public void Acquire(int id, long timeout, bool cancellable)
    {
        _outcomes[id] = Outcome.Pending;
        if (_idle.Count > 0)
        {
            Lease(id, Pop());
            return;
        }

        var w = new CanaryWaiter(this, id);
        _waiters.Add(w);
        _byId[id] = w;
        long t = timeout == 0 ? _cfg.AcquireTimeout : timeout;
        if (t != ModelConfig.Inf)
        {
            w.Timer = _time.CreateTimer(static s => ((CanaryWaiter)s!).Pool.Abandon((CanaryWaiter)s!, Outcome.Exhausted), w, TimeSpan.FromTicks(t), Timeout.InfiniteTimeSpan);
        }

        if (cancellable)
        {
            w.Cancel = new CancellationTokenSource();
            w.Cancel.Token.Register(() => Abandon(w, Outcome.Cancelled));
        }

        Settle_();
    }

    public void TryAcquire(int id)
    {
        if (_idle.Count > 0)
        {
            Lease(id, Pop());
        }
        else
        {
            _outcomes[id] = Outcome.NoLease;
        }
    }

    public void Return(int id, bool invalidate)
    {
        if (!_leases.Remove(id, out var c))
        {
            return;
        }

        _inUse--;
        if (invalidate)
        {
            Destroy(c);
        }
        else
        {
            _idle.Add(c);
        }

        Settle_();
    }

    public void Cancel(int id)
    {
        if (_byId.TryGetValue(id, out var w))
        {
            w.Cancel?.Cancel();
        }
    }

    public Outcome OutcomeOf(int id) => _outcomes[id];

    public void Advance(long delta)
    {
        long target = _time.GetTimestamp() + delta;
        while (_time.NextDue() is { } due && due <= target)
        {
            _time.FireNext();
        }

        _time.SetNow(target);
    }

    public bool SetMaxSize(int n) => throw new NotSupportedException();

    public bool SetMinSize(int n) => throw new NotSupportedException();

    public void Clear() => throw new NotSupportedException();

    public void RunMaintenance() => throw new NotSupportedException();

    public void Dispose() => throw new NotSupportedException();

    public bool Settle() => true;

    public PoolStatistics Statistics() => new()
    {
        MaxSize = _cfg.MaxSize,
        Ceiling = _cfg.MaxSize,
        MaxConcurrentCreates = _cfg.MaxSize,
        Idle = _idle.Count,
        InUse = _inUse,
        Creating = _creating,
        Waiters = LiveWaiters,
        Created = _created,
        Destroyed = _destroyed,
        Acquired = _acquired,
        ConsecutiveCreateFailures = _consecutive,
    };

    private TestConnection Pop()
    {
        var c = _idle[^1];
        _idle.RemoveAt(_idle.Count - 1);
        return c;
    }

    private void Lease(int id, TestConnection c)
    {
        _inUse++;
        _acquired++;
        _leases[id] = c;
        _outcomes[id] = Outcome.Lease;
    }

    private void Destroy(TestConnection c)
    {
        _destroyed++;
        try
        {
            Factory.DestroyAsync(c).AsTask().Wait();
        }
        catch (AggregateException)
        {
            // counted, ignored
        }
    }

    private void Abandon(CanaryWaiter w, Outcome outcome)
    {
        if (w.Done)
        {
            return;
        }

        w.Done = true;
        w.Timer?.Dispose();
        _outcomes[w.Id] = outcome;
        if (_bug == CanaryBug.LostHandOffToDeadWaiter)
        {
            w.Dead = true; // BUG: stays in the queue
        }
        else
        {
            _waiters.Remove(w);
        }

        Settle_();
    }

    private void Settle_()
    {
        while (_waiters.Count > 0 && _idle.Count > 0)
        {
            var w = _waiters[0];
            _waiters.RemoveAt(0);
            var c = Pop();
            _inUse++;
            if (w.Dead)
            {
                continue; // BUG: the hand-off to a dead waiter fails and the connection is lost
            }

            w.Done = true;
            w.Timer?.Dispose();
            _inUse--;
            Lease(w.Id, c);
        }

        int open = _bug == CanaryBug.CheckThenCreate ? _idle.Count + _inUse : Total; // BUG: ignores creates in flight
        int n = Math.Min(LiveWaiters - _creating, _cfg.MaxSize - open);
        for (int i = 0; i < n; i++)
        {
            StartCreate();
        }
    }

    private void StartCreate()
    {
        _creating++;
        long backoff = Backoff(_consecutive);
        if (backoff > 0)
        {
            _time.CreateTimer(static s => ((CanaryCreate)s!).Pool.RunCreate(), new CanaryCreate(this), TimeSpan.FromTicks(backoff), Timeout.InfiniteTimeSpan);
        }
        else
        {
            RunCreate();
        }
    }

    private void RunCreate()
    {
        var task = Factory.CreateAsync(CancellationToken.None);
        if (!task.IsCompleted)
        {
            return; // hangs: never completes in the restricted runs
        }

        if (task.IsCompletedSuccessfully)
        {
            _creating--;
            _created++;
            _consecutive = 0;
            _idle.Add(task.Result);
            Settle_();
            return;
        }

        _consecutive++;
        if (_bug != CanaryBug.SlotLeakOnFailedCreate)
        {
            _creating--;
        }

        if (_bug == CanaryBug.NoWakeUpAfterFailedCreate)
        {
            return; // BUG: the slot is free, but nobody is told and nothing retries
        }

        var oldest = _waiters.FirstOrDefault(w => !w.Dead);
        if (oldest is not null)
        {
            _waiters.Remove(oldest);
            oldest.Done = true;
            oldest.Timer?.Dispose();
            _outcomes[oldest.Id] = Outcome.CreateFailed;
        }

        Settle_();
    }

    private static long Backoff(int failures)
    {
        if (failures <= 0)
        {
            return 0;
        }

        double ticks = Math.Min(ModelConfig.BackoffInitial.Ticks * Math.Pow(2, Math.Min(failures - 1, 30)), ModelConfig.BackoffMax.Ticks);
        return (TimeSpan.FromTicks((long)ticks) * ModelConfig.RandomValue).Ticks;
    }

    private sealed class CanaryWaiter(CanaryPool pool, int id) : IRankedTimerState
    {
        public CanaryPool Pool { get; } = pool;

        public int Id { get; } = id;

        public int Rank => 0;

        public bool Done { get; set; }

        public bool Dead { get; set; }

        public ITimer? Timer { get; set; }

        public CancellationTokenSource? Cancel { get; set; }
    }

    private sealed class CanaryCreate(CanaryPool pool) : IRankedTimerState
    {
        public CanaryPool Pool { get; } = pool;

        public int Rank => 2;
    }
}
