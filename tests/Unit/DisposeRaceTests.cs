namespace Pool.Tests.Unit;

/// <summary>After DisposeAsync starts, no acquire succeeds and no create calls the factory (I9), whatever was in flight.</summary>
public sealed class DisposeRaceTests
{
    private readonly FakeFactory _factory = new();

    [Fact]
    public async Task Dispose_WhileAnAcquireValidates_TheAcquireFailsAtOnceAndTheConnectionIsDestroyedAfterValidateAsyncReturns()
    {
        var time = new ArmedTimerClock();
        var pool = TestPools.Create(_factory, time, disposeTimeout: Timeout.InfiniteTimeSpan, configure: o =>
        {
            o.ValidateAfterIdle = TimeSpan.FromMilliseconds(500);
            o.ValidationTimeout = TimeSpan.FromSeconds(5);
        });
        var connection = await pool.AcquireAndReturnAsync();
        _factory.ValidateHangs = true;
        time.Advance(TimeSpan.FromSeconds(1));
        var acquire = pool.AcquireAsync().AsTask();
        await Waits.Until(() => _factory.ValidationsRunning == 1, "the check on borrow started");

        var disposing = pool.DisposeAsync().AsTask();

        await Waits.Until(() => acquire.IsCompleted, "the validating acquire ended when dispose started");
        var error = await Assert.ThrowsAsync<ObjectDisposedException>(() => acquire);
        Assert.StartsWith("The connection pool 'test' has been disposed.", error.Message, StringComparison.Ordinal);
        var during = pool.Checked();
        Assert.Equal((1, 0L, 0, true), (during.InUse, during.Destroyed, _factory.DestroyCalls, during.IsDisposed));
        Assert.False(disposing.IsCompleted);

        _factory.AnswerHungValidations(true); // a good answer, but the pool is disposed: destroyed all the same
        await disposing;

        var after = pool.Checked();
        Assert.Equal((0, 1L, 1L, 0L), (after.Total, after.Destroyed, after.DestroyedDisposed, after.DestroyedValidationFailed));
        Assert.Equal(1, connection.DestroyCount);
        Assert.Equal(2L, after.Acquired); // as documented, Acquired counts the lease its check held too
    }

    [Fact]
    public async Task Dispose_CreateLeavingItsBackoffAsDisposeSetsItsFlag_NeverCallsTheFactory()
    {
        // The maintenance timer is disposed after the disposed flag is set and before the factory's token
        // is cancelled: the clock's hook ends the create's backoff right in that window.
        var time = new DisposeHookClock();
        _factory.CreateError = new IOException("refused");
        var options = TestPools.CoreOptions(time, maxSize: 1, minSize: 1);
        options.Random = new FixedRandom(0.5);
        options.BackoffInitial = TimeSpan.FromSeconds(1);
        options.BackoffMax = TimeSpan.FromSeconds(10);
        options.MaintenanceInterval = TimeSpan.FromMinutes(1);
        var pool = new ConnectionPool<TestConnection>(_factory, options);
        await Waits.Until(() => _factory.CreateCalls == 1 && time.Armed == 2, "the first create failed and the refill waits out its backoff");
        Assert.Equal((1, 1L), (pool.Checked().Creating, pool.Checked().CreateFailures));
        time.OnPeriodicTimerDisposed = () =>
        {
            time.Advance(TimeSpan.FromSeconds(1));
            bool ended = Waits.Spin(() => _factory.CreateCalls > 1 || pool.GetStatistics().Creating == 0, TimeSpan.FromSeconds(30));
            Assert.True(ended, "the create that left its backoff neither called the factory nor gave its slot back");
        };

        await pool.DisposeAsync();

        Assert.Equal(1, _factory.CreateCalls);
        var after = pool.Checked();
        Assert.Equal((0, 0, 1L), (after.Total, after.Creating, after.CreateFailures));
    }

    [Fact]
    public async Task Dispose_StartingAsTheCheckOnBorrowIsArmed_NeverCallsValidateAsyncAndReleasesTheChecksDeadline()
    {
        // The check's ValidationTimeout timer is armed just before the check starts: the clock's hook
        // starts dispose right there, so dispose comes first and the check never calls the factory.
        var time = new ValidationDeadlineHookClock();
        var pool = TestPools.Create(_factory, time, configure: o =>
        {
            o.ValidateAfterIdle = TimeSpan.FromMilliseconds(500);
            o.ValidationTimeout = TimeSpan.FromSeconds(5);
        });
        var first = await pool.AcquireAsync();
        await first.DisposeAsync();
        time.Advance(TimeSpan.FromSeconds(1));
        Task? disposing = null;
        time.OnValidationDeadlineArmed = () => disposing = pool.DisposeAsync().AsTask();

        var error = await Assert.ThrowsAsync<ObjectDisposedException>(() => pool.AcquireAsync().AsTask());
        await disposing!;

        Assert.StartsWith("The connection pool 'test' has been disposed.", error.Message, StringComparison.Ordinal);
        Assert.Equal((0, 1, 0), (_factory.ValidateCalls, time.ValidationDeadlinesArmed, time.ValidationDeadlinesLive));
        var after = pool.Checked();
        Assert.Equal((0, 1L, 1L), (after.Total, after.Destroyed, after.DestroyedDisposed));
    }

    /// <summary>A fake clock that runs a hook when a 5 s one-shot timer (the check's ValidationTimeout) is armed, and counts those still undisposed.</summary>
    private sealed class ValidationDeadlineHookClock : FakeTimeProvider
    {
        private int _armed;
        private int _live;

        public Action? OnValidationDeadlineArmed { get; set; }

        public int ValidationDeadlinesArmed => Volatile.Read(ref _armed);

        public int ValidationDeadlinesLive => Volatile.Read(ref _live);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            if (dueTime != TimeSpan.FromSeconds(5) || period != Timeout.InfiniteTimeSpan)
            {
                return timer;
            }

            Interlocked.Increment(ref _armed);
            Interlocked.Increment(ref _live);
            OnValidationDeadlineArmed?.Invoke();
            return new CountedTimer(timer, this);
        }

        private sealed class CountedTimer(ITimer inner, ValidationDeadlineHookClock clock) : ITimer
        {
            private int _disposed;

            public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(dueTime, period);

            public void Dispose()
            {
                if (Interlocked.Exchange(ref _disposed, 1) == 0)
                {
                    Interlocked.Decrement(ref clock._live);
                }

                inner.Dispose();
            }

            public ValueTask DisposeAsync()
            {
                Dispose();
                return default;
            }
        }
    }

    /// <summary>A fake clock that counts the timers armed and runs a hook when the pool disposes its periodic (maintenance) timer.</summary>
    private sealed class DisposeHookClock : FakeTimeProvider
    {
        private int _armed;

        public int Armed => Volatile.Read(ref _armed);

        public Action? OnPeriodicTimerDisposed { get; set; }

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            Interlocked.Increment(ref _armed);
            return period == Timeout.InfiniteTimeSpan ? timer : new HookedTimer(timer, this);
        }

        private sealed class HookedTimer(ITimer inner, DisposeHookClock clock) : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(dueTime, period);

            public void Dispose()
            {
                inner.Dispose();
                clock.OnPeriodicTimerDisposed?.Invoke();
            }

            public ValueTask DisposeAsync()
            {
                Dispose();
                return default;
            }
        }
    }
}
