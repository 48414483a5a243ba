namespace Pool.Tests.Properties.Model;

/// <summary>
/// Drives the kit's <see cref="IPoolUnderTest"/> (the real pool or a canary) in lockstep with the model:
/// one step, then settle. Acquires are named by number and the driver keeps their tasks and leases;
/// time is a <see cref="SteppedClock"/> that fires one timer at a time; held checks and stuck creates
/// are answered one at a time, oldest first. The lifecycle operations
/// (SetMaxSize, SetMinSize, Clear, RunMaintenance) only the real pool has; the canary runs
/// the restricted operation set, which never asks for them.
/// </summary>
internal sealed class LockstepDriver
{
    private readonly SteppedClock _time;
    private readonly IPoolUnderTest _pool;
    private readonly Dictionary<int, Task<ILeaseHandle>> _acquires = [];
    private readonly Dictionary<int, ILeaseHandle> _tried = [];
    private readonly Dictionary<int, Outcome> _sync = [];
    private readonly Dictionary<int, CancellationTokenSource> _tokens = [];
    private readonly TimeSpan _settleLimit;
    private Task? _dispose;

    private LockstepDriver(SteppedClock time, ModelFactory factory, IPoolUnderTest pool, TimeSpan settleLimit)
    {
        _settleLimit = settleLimit;
        _time = time;
        Checks = factory;
        _pool = pool;
        Settle(expectedInCheck: 0, expectedHeld: 0);
    }

    /// <summary>The kit's factory: creates, destroys and what is alive.</summary>
    public FakeFactory Factory => Checks.Inner;

    /// <summary>The factory the pool calls: checks on borrow are answered here.</summary>
    public ModelFactory Checks { get; }

    public bool DisposeCompleted => _dispose?.IsCompleted == true;

    /// <summary>Timers the pool made and has not disposed (I9: none once dispose completed).</summary>
    public int LiveTimers => _time.LiveTimers;

    private ConnectionPool<TestConnection> Lifecycle =>
        (_pool as RealPool)?.Inner ?? throw new NotSupportedException("Lifecycle operations are the real pool's; the canary runs the restricted operation set.");

    /// <summary>The real <see cref="ConnectionPool{TConnection}"/> in the configuration's options.</summary>
    public static LockstepDriver Real(ModelConfig config)
    {
        var time = new SteppedClock();
        var factory = Modes(config);
        return new LockstepDriver(time, factory, new RealPool(new ConnectionPool<TestConnection>(factory, config.ToOptions(time))), TimeSpan.FromSeconds(10));
    }

    /// <summary>
    /// The kit's <see cref="CanaryPool"/> with <paramref name="bug"/> (null: none) in the configuration's options.
    /// A canary step settles in microseconds; a bug that never rests (a leaked slot) is caught on the
    /// comparison after 2 s instead of 10, which keeps its shrinking short.
    /// </summary>
    public static LockstepDriver Canary(ModelConfig config, CanaryBug? bug)
    {
        var time = new SteppedClock();
        var factory = Modes(config);
        return new LockstepDriver(time, factory, new CanaryPool(bug, config.ToOptions(time), factory), TimeSpan.FromSeconds(2));
    }

    private static ModelFactory Modes(ModelConfig config)
    {
        var fake = new FakeFactory();
        fake.Set(config.InitialCreateMode);
        return new ModelFactory(fake) { ValidateMode = config.InitialValidateMode };
    }

    /// <summary>Starts acquire <paramref name="id"/>: timeout 0 = the pool's default, Inf = infinite.</summary>
    public void Acquire(int id, long timeout, bool cancellable)
    {
        var cts = cancellable ? new CancellationTokenSource() : null;
        if (cts is not null)
        {
            _tokens[id] = cts;
        }

        var token = cts?.Token ?? CancellationToken.None;
        _acquires[id] = _pool.AcquireAsync(timeout == 0 ? null : ModelConfig.Span(timeout), token);
    }

    public void TryAcquire(int id)
    {
        try
        {
            if (_pool.TryAcquire(out var lease))
            {
                _tried[id] = lease;
                _sync[id] = Outcome.Lease;
            }
            else
            {
                _sync[id] = Outcome.NoLease;
            }
        }
        catch (ObjectDisposedException)
        {
            _sync[id] = Outcome.Disposed;
        }
    }

    /// <summary>Returns (after invalidating) acquire <paramref name="id"/>'s lease; called again for the same id, a stale second return.</summary>
    public void Return(int id, bool invalidate)
    {
        ILeaseHandle lease;
        if (_tried.TryGetValue(id, out var t))
        {
            lease = t;
        }
        else if (_acquires.TryGetValue(id, out var task) && task.IsCompletedSuccessfully)
        {
            lease = task.Result;
        }
        else
        {
            return;
        }

        if (invalidate)
        {
            lease.Invalidate();
        }

        lease.Return();
    }

    public void Cancel(int id)
    {
        if (_tokens.TryGetValue(id, out var cts))
        {
            cts.Cancel();
        }
    }

    public Outcome OutcomeOf(int id)
    {
        if (_sync.TryGetValue(id, out var o))
        {
            return o;
        }

        var task = _acquires[id];
        if (!task.IsCompleted)
        {
            return Outcome.Pending;
        }

        if (task.IsCompletedSuccessfully)
        {
            return Outcome.Lease;
        }

        if (task.IsCanceled)
        {
            return Outcome.Cancelled;
        }

        return task.Exception!.InnerException switch
        {
            PoolExhaustedException => Outcome.Exhausted,
            ObjectDisposedException => Outcome.Disposed,
            ConnectionCreateException => Outcome.CreateFailed,
            PoolUnavailableException => Outcome.Unavailable,
            OperationCanceledException => Outcome.Cancelled,
            _ => Outcome.Other,
        };
    }

    /// <summary>Fires the due timers one at a time, settling after each (<paramref name="expectedInCheck"/>: see <see cref="Settle"/>; no timer starts or ends a check).</summary>
    public void Advance(long delta, int expectedInCheck, int expectedHeld)
    {
        long target = _time.GetTimestamp() + delta;
        while (_time.NextDue() is { } due && due <= target)
        {
            _time.FireNext();
            Settle(expectedInCheck, expectedHeld);
        }

        _time.SetNow(target);
    }

    /// <summary>
    /// Answers the oldest held check on borrow. If its acquirer had left (<paramref name="acquirerLeft"/>),
    /// nothing waits for the answer but the check itself, so the pool has judged it once its statistics
    /// change (the connection back to idle or to a waiter, or retired); a pool that ignores the answer
    /// is caught on the comparison after the bounded wait.
    /// </summary>
    public void AnswerCheck(bool valid, bool acquirerLeft)
    {
        var before = _pool.GetStatistics();
        if (Checks.AnswerOldestCheck(valid) && acquirerLeft)
        {
            Waits.Spin(() => !Equals(_pool.GetStatistics(), before), _settleLimit);
        }
    }

    /// <summary>Answers the oldest stuck create call (the kit's gate is first in, first out): a connection, or a failure.</summary>
    public void ReleaseCreate(bool ok)
    {
        if (Factory.PendingCreates == 0)
        {
            return;
        }

        if (ok)
        {
            Factory.CompleteNext(); // fails with the factory's CreateError if creates currently throw
        }
        else
        {
            Factory.FailNext(new InvalidOperationException("scripted stuck create failure"));
        }
    }

    /// <summary>False if the pool rejected the value with ArgumentOutOfRangeException.</summary>
    public bool SetMaxSize(int n) => Accepted(() => Lifecycle.SetMaxSize(n));

    /// <summary>False if the pool rejected the value with ArgumentOutOfRangeException.</summary>
    public bool SetMinSize(int n) => Accepted(() => Lifecycle.SetMinSize(n));

    public void Clear() => Lifecycle.Clear();

    public void RunMaintenance() => Lifecycle.RunMaintenance();

    public void Dispose() => _dispose = _pool.DisposeAsync().AsTask();

    public PoolStatistics Statistics() => _pool.GetStatistics();

    private static bool Accepted(Action change)
    {
        try
        {
            change();
            return true;
        }
        catch (ArgumentOutOfRangeException)
        {
            return false;
        }
    }

    /// <summary>
    /// Rest: every reserved or abandoned create is parked in a backoff timer or in a hanging or stuck
    /// factory call, nothing is being destroyed, and every acquire that is not queued has completed,
    /// except the <paramref name="expectedInCheck"/> acquires the model says wait for a held check on
    /// borrow (a cancelled or disposed acquirer must complete at once, so a pool that keeps one waiting
    /// never rests and is caught on its outcome), with <paramref name="expectedHeld"/> checks held (an
    /// acquire whose check failed may take the next idle connection into a new check). A bounded spin
    /// of yields, never a sleep.
    /// </summary>
    public bool Settle(int expectedInCheck, int expectedHeld)
    {
        int stable = 0;
        return Waits.Spin(() =>
        {
            var s = _pool.GetStatistics();
            int pendingAcquires = _acquires.Values.Count(t => !t.IsCompleted);
            bool rest = s.Creating + s.Abandoned == _time.Pending(2) + Factory.HungCreates + Factory.PendingCreates
                && s.Destroying == 0
                && pendingAcquires == s.Waiters + expectedInCheck
                && Checks.HeldChecks == expectedHeld
                && (!s.IsDisposed || _dispose is null || s.Total != 0 || s.Abandoned != 0 || _dispose.IsCompleted);
            stable = rest ? stable + 1 : 0;
            return stable >= 2;
        }, _settleLimit);
    }
}
