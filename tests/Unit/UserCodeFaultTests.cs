namespace Pool.Tests.Unit;

/// <summary>
/// A logger, a metrics listener, the TimeProvider or the Random that throws never changes the pool's
/// books, never escapes from a timer (the fake clocks fire timers inside Advance, so an escaped
/// exception would fail the Advance call) and never stops decided work (a destroy, a create).
/// </summary>
public sealed class UserCodeFaultTests
{
    private readonly FakeFactory _factory = new();

    [Theory]
    [InlineData(LoggerFault.Log, 1)]
    [InlineData(LoggerFault.IsEnabled, 0)]
    public async Task ThrowingLogger_OnEvicted_LeaseDisposeReturnsAndTheDestroyRuns(LoggerFault fault, int eventsReached)
    {
        var logger = new ThrowingLogger(fault);
        var pool = TestPools.Create(_factory, new FakeTimeProvider(), maxSize: 1, configure: o => o.LoggerFactory = Telemetry.LogsTo(logger));
        var lease = await pool.AcquireAsync();
        lease.Invalidate();

        lease.Dispose();

        var stats = pool.Checked();
        Assert.Equal((0, 0, 1L, 1L), (stats.Total, stats.Destroying, stats.Destroyed, stats.DestroyedInvalidated));
        Assert.Equal((1, eventsReached), (_factory.DestroyCalls, logger.Events));
        await (await pool.AcquireAsync()).DisposeAsync(); // MaxSize 1: the slot is free again
        Assert.Equal((1, 2, 2L), (pool.Checked().Idle, _factory.CreateCalls, pool.Checked().Acquired));
    }

    [Fact]
    public void GuardedLogger_WhenTheProviderThrowsFromBeginScope_ReturnsNoScope()
    {
        var provider = new ThrowingLogger(LoggerFault.BeginScope);
        using var factory = Telemetry.LogsTo(provider);
        var logger = new GuardedLogger(factory.CreateLogger("Pool"));

        Assert.Same(provider.Error, Assert.Throws<InvalidOperationException>(() => factory.CreateLogger("Pool").BeginScope("scope")));
        Assert.Null(logger.BeginScope("scope"));
    }

    [Fact]
    public async Task ThrowingLogger_InTheCreateTimeoutTimer_NothingEscapesAndTheCreateIsAbandoned()
    {
        var logger = new ThrowingLogger(LoggerFault.Log);
        var clock = new ArmedTimerClock();
        _factory.Gated = true;
        var pool = TestPools.Create(_factory, clock, maxSize: 1, configure: o =>
        {
            o.LoggerFactory = Telemetry.LogsTo(logger);
            o.CreateTimeout = TimeSpan.FromSeconds(1);
        });
        var acquire = pool.AcquireAsync(Timeout.InfiniteTimeSpan).AsTask();
        await _factory.WaitForPendingAsync(1);
        await clock.UntilArmedAsync(1, "the create's deadline is armed");

        clock.Advance(TimeSpan.FromSeconds(1)); // CreateFailed and CreateTimedOut are logged in the timer; both throw

        var error = await Assert.ThrowsAsync<ConnectionCreateException>(() => acquire);
        Assert.IsType<TimeoutException>(error.InnerException);
        var stats = pool.Checked();
        Assert.Equal((0, 0, 1, 1L, 1L), (stats.Creating, stats.Waiters, stats.Abandoned, stats.CreateTimeouts, stats.CreateFailures));
        Assert.Equal(2, logger.Events);
    }

    [Fact]
    public async Task ThrowingLogger_InTheMaintenanceTimer_NothingEscapesAndTheLeakIsStillReportedOnce()
    {
        var logger = new ThrowingLogger(LoggerFault.Log);
        var clock = new ArmedTimerClock();
        var pool = TestPools.Create(_factory, clock, configure: o =>
        {
            o.LoggerFactory = Telemetry.LogsTo(logger);
            o.LeakDetectionThreshold = TimeSpan.FromMinutes(1);
            o.MaintenanceInterval = TimeSpan.FromSeconds(10);
        });
        var lease = await pool.AcquireAsync();

        clock.Advance(TimeSpan.FromSeconds(70)); // seven passes; the one at 70 s reports the leak, and its log throws

        Assert.Equal(1, logger.Events);
        lease.Dispose(); // LeakReturned throws too
        Assert.Equal((1, 0, 2), (pool.Checked().Idle, pool.Checked().InUse, logger.Events));
    }

    [Fact]
    public async Task ThrowingMeterListener_OnEveryInstrument_AcquireTimeoutReturnAndDisposeKeepTheBooks()
    {
        var time = new FakeTimeProvider();
        var pool = TestPools.Create(_factory, time, maxSize: 1, acquireTimeout: TimeSpan.FromSeconds(1));
        using var listener = new ThrowingMeterListener(pool.Meter);

        var lease = await pool.AcquireAsync();                     // create_time and wait_time throw
        Assert.Equal(1, pool.Checked().InUse);
        var waiting = pool.AcquireAsync().AsTask();
        time.Advance(TimeSpan.FromSeconds(1));                    // the timeouts counter throws in the timer
        await Assert.ThrowsAsync<PoolExhaustedException>(() => waiting);
        lease.Invalidate();
        lease.Dispose();                                          // use_time and destroyed throw
        await pool.DisposeAsync();                                // MeasurementsCompleted throws

        var stats = pool.Checked();
        Assert.Equal((true, 0, 0, 1L, 1L, 1L), (stats.IsDisposed, stats.Total, stats.Waiters, stats.Acquired, stats.TimedOut, stats.Destroyed));
        Assert.Equal((1, 1), (_factory.CreateCalls, _factory.DestroyCalls));
        Assert.Equal(5, listener.Measurements);
    }

    [Fact]
    public async Task ThrowingGetTimestamp_AcquireTryAcquireAndReturnWorkOnTheLastGoodTime()
    {
        var clock = new FaultyClock();
        var pool = TestPools.Create(_factory, clock, configure: o => o.ValidateAfterIdle = TimeSpan.FromSeconds(10));
        await pool.AcquireAndReturnAsync();
        clock.TimestampThrows = true;

        var lease = await pool.AcquireAsync();
        lease.Dispose();
        Assert.True(pool.TryAcquire(out var again));
        again.Dispose();

        var stats = pool.Checked();
        Assert.Equal((1, 0, 3L, 1L), (stats.Idle, stats.InUse, stats.Acquired, stats.Created));
        Assert.Equal(0, _factory.ValidateCalls); // time stood still: the connection was never idle for 10 s
    }

    [Fact]
    public async Task ThrowingTimestampFrequency_AfterConstruction_DurationsStillRecord()
    {
        var clock = new FaultyClock();
        var pool = TestPools.Create(_factory, clock);
        using var useTime = pool.Collect<double>("db.client.connection.use_time");
        var lease = await pool.AcquireAsync();
        clock.FrequencyThrows = true;
        clock.Advance(TimeSpan.FromSeconds(2));

        lease.Dispose();

        Assert.Equal([2.0], useTime.GetMeasurementSnapshot().Select(m => m.Value));
        Assert.Equal((1, 0), (pool.Checked().Idle, pool.Checked().InUse));
    }

    [Fact]
    public async Task ThrowingCreateTimer_ForAWaitersDeadline_FailsThatAcquireAndStrandsNoWaiter()
    {
        var clock = new FaultyClock();
        var pool = TestPools.Create(_factory, clock, maxSize: 1);
        var held = await pool.AcquireAsync();
        var connection = held.Connection;
        clock.CreateTimerThrows = true;

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => pool.AcquireAsync().AsTask());

        Assert.Same(clock.Error, error);
        Assert.Equal((0, 1), (pool.Checked().Waiters, pool.Checked().InUse));
        held.Dispose();
        Assert.Equal(1, pool.Checked().Idle); // not handed to the acquire that failed
        clock.CreateTimerThrows = false;
        var next = await pool.AcquireAsync();
        Assert.Same(connection, next.Connection);
        Assert.Equal((2L, 1), (pool.Checked().Acquired, _factory.CreateCalls));
    }

    [Fact]
    public async Task ThrowingCreateTimer_ForACreatesDeadline_FailsThatCreateAndFreesItsSlot()
    {
        var clock = new FaultyClock();
        var pool = TestPools.Create(_factory, clock, maxSize: 1, configure: o => o.CreateTimeout = TimeSpan.FromSeconds(5));
        clock.CreateTimerThrows = true;

        var acquire = pool.AcquireAsync(Timeout.InfiniteTimeSpan).AsTask(); // no deadline of its own
        await Waits.Until(() => acquire.IsCompleted, "the acquire got its create's outcome");

        var error = await Assert.ThrowsAsync<ConnectionCreateException>(() => acquire);
        Assert.Same(clock.Error, error.InnerException);
        var stats = pool.Checked();
        Assert.Equal((0, 0, 0, 1L), (stats.Total, stats.Creating, stats.Waiters, stats.CreateFailures));
        Assert.Equal(0, _factory.CreateCalls); // the factory was not called without its deadline
    }

    [Fact]
    public void ThrowingCreateTimer_ForTheMaintenanceTimer_FailsTheConstructorBeforeAnyCreateStarts()
    {
        var clock = new FaultyClock { CreateTimerThrows = true };

        var error = Assert.Throws<InvalidOperationException>(() =>
            TestPools.Create(_factory, clock, minSize: 2, configure: o => o.MaintenanceInterval = TimeSpan.FromSeconds(10)));

        Assert.Same(clock.Error, error);
        Assert.Equal(0, _factory.CreateCalls);
    }

    [Fact]
    public async Task ThrowingTimerDispose_AfterAGrant_TheAcquirerKeepsItsLeaseAndDisposeCompletes()
    {
        var clock = new FaultyClock();
        var pool = TestPools.Create(_factory, clock, maxSize: 1, configure: o => o.MaintenanceInterval = TimeSpan.FromMinutes(1));
        var held = await pool.AcquireAsync();
        var waiting = pool.AcquireAsync().AsTask(); // its deadline timer is armed
        clock.TimerThrows = true;

        held.Dispose(); // grants the waiter, whose timer then refuses to be disposed
        var lease = await waiting;
        Assert.Equal((1, 0), (pool.Checked().InUse, pool.Checked().Waiters));
        clock.Advance(TimeSpan.FromSeconds(10)); // the undisposed deadline fires: the grant stands
        Assert.Equal((1, 0L), (pool.Checked().InUse, pool.Checked().TimedOut));

        lease.Dispose();
        await pool.DisposeAsync(); // the maintenance timer refuses too
        clock.Advance(TimeSpan.FromMinutes(1)); // and fires on a disposed pool

        var stats = pool.Checked();
        Assert.Equal((true, 0, 2L, 1L), (stats.IsDisposed, stats.Total, stats.Acquired, stats.Destroyed));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task BrokenRandom_ForLifetimeJitter_TheCreateCompletesWithNoJitter(bool nan)
    {
        var clock = new FakeTimeProvider();
        var random = new ThrowingRandom(nan);
        var pool = TestPools.Create(_factory, clock, configure: o =>
        {
            o.MaxLifetime = TimeSpan.FromMinutes(10);
            o.LifetimeJitter = 0.5;
            o.Random = random;
        });

        var acquire = pool.AcquireAsync().AsTask();
        await Waits.Until(() => acquire.IsCompleted, "the create finished");
        var lease = await acquire;
        clock.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromTicks(1));
        lease.Dispose();
        Assert.Equal((1, 0L), (pool.Checked().Idle, pool.Checked().DestroyedExpired)); // not shortened by jitter
        var again = await pool.AcquireAsync();
        clock.Advance(TimeSpan.FromTicks(1));
        again.Dispose();

        var stats = pool.Checked();
        Assert.Equal((0, 0, 1L, 1L), (stats.Total, stats.Creating, stats.Created, stats.DestroyedExpired));
        Assert.Equal(1, random.Draws);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task BrokenRandom_ForBackoff_TheCreateWaitsTheFullCap(bool nan)
    {
        var clock = new ArmedTimerClock();
        var random = new ThrowingRandom(nan);
        var pool = TestPools.Create(_factory, clock, configure: o =>
        {
            o.BackoffInitial = TimeSpan.FromMilliseconds(100);
            o.MaxLifetime = Timeout.InfiniteTimeSpan; // the backoff's is the only draw
            o.Random = random;
        });
        _factory.CreateError = new InvalidOperationException("down");
        await Assert.ThrowsAsync<ConnectionCreateException>(() => pool.AcquireAsync(Timeout.InfiniteTimeSpan).AsTask());
        _factory.CreateError = null;

        var acquire = pool.AcquireAsync(Timeout.InfiniteTimeSpan).AsTask();
        await clock.UntilArmedAsync(1, "the backoff pause is armed");
        Assert.Equal(TimeSpan.FromMilliseconds(100), clock.Armed[^1]); // no jitter: the whole cap
        clock.Advance(TimeSpan.FromMilliseconds(100));
        await Waits.Until(() => acquire.IsCompleted, "the create after the pause finished");

        (await acquire).Dispose();
        var stats = pool.Checked();
        Assert.Equal((1, 0, 1L, 1L), (stats.Idle, stats.Creating, stats.Created, stats.CreateFailures));
        Assert.Equal(1, random.Draws);
    }
}
