namespace Pool.Tests.Unit;

/// <summary>The event instruments: exact values on the pool's clock after scripted operations.</summary>
public sealed class MetricsRecordingTests : PoolFixture<ArmedTimerClock>
{
    [Fact]
    public async Task Durations_AreExactSecondsOnThePoolsClock_ForWaitsUsesAndSuccessfulCreates()
    {
        Factory.Gated = true;
        await using var pool = TestPools.Create(Factory, Time, maxSize: 1);
        using var wait = pool.Collect<double>("db.client.connection.wait_time");
        using var use = pool.Collect<double>("db.client.connection.use_time");
        using var create = pool.Collect<double>("db.client.connection.create_time");

        var creating = pool.AcquireAsync().AsTask();
        await Factory.WaitForPendingAsync(1);
        Time.Advance(TimeSpan.FromSeconds(1.5));
        Factory.CompleteNext();
        var a = await creating;                       // waited 1.5 s for its create
        var queued = pool.AcquireAsync().AsTask();
        Time.Advance(TimeSpan.FromSeconds(3));
        await a.DisposeAsync();                       // used 3 s; the queued acquire waited 3 s
        var b = await queued;
        Time.Advance(TimeSpan.FromSeconds(0.25));
        b.Invalidate();
        await b.DisposeAsync();                       // used 0.25 s, then destroyed

        Factory.Gated = false;
        var c = await pool.AcquireAsync();            // a create that took no time
        await c.DisposeAsync();
        Assert.True(pool.TryAcquire(out var d));      // the fast path
        Time.Advance(TimeSpan.FromSeconds(2));
        await d.DisposeAsync();

        await Waits.Until(() => create.GetMeasurementSnapshot().Count == 2, "both creates are timed");
        Assert.Equal([1.5, 3, 0, 0], wait.GetMeasurementSnapshot().Select(m => m.Value));
        Assert.Equal([3, 0.25, 0, 2], use.GetMeasurementSnapshot().Select(m => m.Value));
        // The first create's duration is recorded after its connection reached the waiter, which may go on
        // to the second create first: the two durations, in either order.
        Assert.Equal([0, 1.5], create.GetMeasurementSnapshot().Select(m => m.Value).Order());
        Assert.All(
            wait.GetMeasurementSnapshot().Concat(use.GetMeasurementSnapshot()).Concat(create.GetMeasurementSnapshot()),
            m => Assert.Equal(new KeyValuePair<string, object?>(Telemetry.PoolName, "test"), Assert.Single(m.Tags)));
    }

    [Fact]
    public async Task UseTime_IsNotRecordedForALeaseWithdrawnByAFailedValidation()
    {
        await using var pool = TestPools.Create(Factory, Time, configure: o => o.ValidateAfterIdle = TimeSpan.FromSeconds(10));
        using var use = pool.Collect<double>("db.client.connection.use_time");
        using var wait = pool.Collect<double>("db.client.connection.wait_time");
        await pool.AcquireAndReturnAsync();
        Time.Advance(TimeSpan.FromSeconds(11));
        Factory.Validate = _ => false;

        var lease = await pool.AcquireAsync();
        Time.Advance(TimeSpan.FromSeconds(1));
        await lease.DisposeAsync();

        Assert.Equal((1L, 3L), (pool.Checked().DestroyedValidationFailed, pool.Checked().Acquired));
        Assert.Equal([0, 1], use.GetMeasurementSnapshot().Select(m => m.Value));
        Assert.Equal([0, 0], wait.GetMeasurementSnapshot().Select(m => m.Value));
    }

    [Fact]
    public async Task Timeouts_CountEachAcquireThatTimedOut_InTheQueueOrAfterAFailedValidation()
    {
        await using var pool = TestPools.Create(Factory, Time, maxSize: 1, configure: o =>
        {
            o.ValidateAfterIdle = TimeSpan.Zero;
            o.ValidationTimeout = TimeSpan.FromSeconds(5);
        });
        using var timeouts = pool.Collect<long>("db.client.connection.timeouts");
        var holder = await pool.AcquireAsync();
        var queued = pool.AcquireAsync(TimeSpan.FromSeconds(2)).AsTask(); // its deadline is armed before it returns

        Time.Advance(TimeSpan.FromSeconds(2));

        await Assert.ThrowsAsync<PoolExhaustedException>(() => queued);
        Assert.Equal([("test", null, 1L)], timeouts.GetMeasurementSnapshot().ByTag("none"));

        await holder.DisposeAsync();
        Time.Advance(TimeSpan.FromTicks(1));
        Factory.ValidateHangs = true;
        var validating = pool.AcquireAsync(TimeSpan.FromSeconds(2)).AsTask(); // validating, under a 5 s deadline
        Time.Advance(TimeSpan.FromSeconds(5));

        await Assert.ThrowsAsync<PoolExhaustedException>(() => validating);
        Assert.Equal([1L, 1L], timeouts.GetMeasurementSnapshot().Select(m => m.Value));
        Assert.Equal(2L, pool.Checked().TimedOut);
        Factory.AnswerHungValidations(true); // the connection stays with its check until ValidateAsync returns (I11)
    }

    [Fact]
    public async Task CreateFailures_CarryTheErrorType_AndACreateTimeoutCountsAsOneWithNoCreateTime()
    {
        Factory.Gated = true;
        await using var pool = TestPools.Create(Factory, Time, maxSize: 1, acquireTimeout: TimeSpan.FromMinutes(1),
            configure: o => o.CreateTimeout = TimeSpan.FromSeconds(5));
        using var failures = pool.Collect<long>("pool.connection.create_failures");
        using var create = pool.Collect<double>("db.client.connection.create_time");
        using var destroyed = pool.Collect<long>("pool.connection.destroyed");

        var refused = pool.AcquireAsync().AsTask();
        await Factory.WaitForPendingAsync(1);
        Factory.FailNext(new IOException("refused"));
        await Assert.ThrowsAsync<ConnectionCreateException>(() => refused);
        var abandoned = pool.AcquireAsync().AsTask();
        await Factory.WaitForPendingAsync(1); // its CreateTimeout deadline was armed before the factory was called
        Time.Advance(TimeSpan.FromSeconds(5));
        await Assert.ThrowsAsync<ConnectionCreateException>(() => abandoned);
        Factory.CompleteNext(); // arrives late: destroyed, not counted as created
        await Waits.Until(() => pool.GetStatistics().Abandoned == 0 && failures.GetMeasurementSnapshot().Count == 2, "the late connection is destroyed");

        Assert.Equal([("test", "System.IO.IOException", 1L), ("test", "System.TimeoutException", 1L)], failures.GetMeasurementSnapshot().ByTag("error.type"));
        Assert.Equal((0, 0), (create.GetMeasurementSnapshot().Count, destroyed.GetMeasurementSnapshot().Count));
        Assert.Equal((2L, 1L), (pool.Checked().CreateFailures, pool.Checked().LateConnections));
    }

    [Fact]
    public async Task Destroyed_CountsOneForEachReason_AsTheStatisticsDo()
    {
        var pool = TestPools.Create(Factory, Time, configure: Telemetry.ForDestroyEveryWay);
        using var destroyed = pool.Collect<long>("pool.connection.destroyed");

        await Telemetry.DestroyOneForEachReasonAsync(pool, Factory, Time);

        // Even "disposed" is counted on the pool's own meter: the idle connections' destroys start before it is disposed.
        Assert.Equal(Telemetry.Reasons, destroyed.GetMeasurementSnapshot().Select(m => (string)m.Tags["pool.destroy.reason"]!));
        Assert.All(destroyed.GetMeasurementSnapshot(), m => Assert.Equal((1L, "test"), (m.Value, (string)m.Tags[Telemetry.PoolName]!)));
        var s = pool.Checked();
        Assert.Equal(
            (1L, 1L, 1L, 1L, 1L, 1L, 1L, 7L),
            (s.DestroyedInvalidated, s.DestroyedValidationFailed, s.DestroyedIdle, s.DestroyedExpired, s.DestroyedCleared, s.DestroyedSurplus, s.DestroyedDisposed, s.Destroyed));
    }

    [Fact]
    public async Task FastPath_ReadsTheClockOnceMorePerLeaseOnlyWhileALeaseTimeIsListenedTo()
    {
        var clock = new CountingClock();
        await using var pool = TestPools.Create(Factory, clock);
        await pool.AcquireAndReturnAsync();

        int before = clock.Reads;
        await pool.AcquireAndReturnAsync();
        int quiet = clock.Reads - before;

        using (var use = pool.Collect<double>("db.client.connection.use_time"))
        {
            before = clock.Reads;
            await pool.AcquireAndReturnAsync();
            Assert.Equal((1, 3), (use.GetMeasurementSnapshot().Count, clock.Reads - before));
        }

        Assert.Equal(2, quiet); // the acquire's start and the return
    }

    private sealed class CountingClock : FakeTimeProvider
    {
        private int _reads;

        public int Reads => Volatile.Read(ref _reads);

        public override long GetTimestamp()
        {
            Interlocked.Increment(ref _reads);
            return base.GetTimestamp();
        }
    }
}
