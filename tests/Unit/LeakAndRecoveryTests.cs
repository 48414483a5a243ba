namespace Pool.Tests.Unit;

public sealed class LeakAndRecoveryTests : PoolFixture<ArmedTimerClock>
{
    [Fact]
    public async Task LeakDetection_LeaseHeldPastTheThreshold_LogsOnceWithTheAcquireSiteAndAgainOnReturn()
    {
        var logs = new FakeLogCollector();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(logs)).SetMinimumLevel(LogLevel.Warning));
        await using var pool = TestPools.Create(Factory, Time, configure: o =>
        {
            o.LeakDetectionThreshold = TimeSpan.FromSeconds(10);
            o.LoggerFactory = loggerFactory;
        });
        var lease = await AcquireHereAsync(pool);
        await pool.AcquireAndReturnAsync();

        Time.Advance(TimeSpan.FromSeconds(10) - TimeSpan.FromTicks(1));
        pool.RunMaintenance();
        Assert.Equal(0, logs.Count);
        Time.Advance(TimeSpan.FromTicks(1));
        pool.RunMaintenance();
        pool.RunMaintenance();

        var leak = Assert.Single(logs.GetSnapshot());
        Assert.Equal(LogLevel.Warning, leak.Level);
        Assert.Equal("LeakSuspected", leak.Id.Name);
        Assert.StartsWith("Pool 'test': a connection has been leased for 00:00:10 (LeakDetectionThreshold 00:00:10); it was acquired at:", leak.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(AcquireHereAsync), leak.Message, StringComparison.Ordinal);

        Time.Advance(TimeSpan.FromSeconds(5));
        await lease.DisposeAsync();

        var returned = logs.LatestRecord;
        Assert.Equal(("LeakReturned", "Pool 'test': the connection reported as leaked came back after 00:00:15."), (returned.Id.Name, returned.Message));
        Assert.Equal(2, logs.Count);
    }

    [Fact]
    public async Task LeakDetection_Off_CapturesNoStack()
    {
        await using var pool = TestPools.Create(Factory, Time);

        await using var lease = await pool.AcquireAsync();

        Assert.Null(lease.Entry!.LeaseSite);
    }

    [Fact]
    public async Task Logging_CreateFailuresAndTheFastFailWindow_AreLoggedWithTheError()
    {
        var logs = new FakeLogCollector();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(logs)).SetMinimumLevel(LogLevel.Debug));
        await using var pool = TestPools.Create(Factory, Time, configure: o =>
        {
            o.FailFastAfter = 2;
            o.LoggerFactory = loggerFactory;
        });
        var outage = await FastFailOutage.OpenAndCloseAsync(pool, Factory, Time);
        await Waits.Until(() => logs.GetSnapshot().Count(r => r.Id.Name != "Evicted") == 4, "the four outage events are logged");

        // Each event is logged after the lock by the thread that caused it, once its waiter is served:
        // threads log in any order (a create's failure can be logged after the probe's success), so the
        // events are compared in event-id order.
        var records = logs.GetSnapshot().Where(r => r.Id.Name != "Evicted").OrderBy(r => r.Id.Id).ToArray();
        Assert.Equal(
            new (string?, LogLevel)[] { ("CreateFailed", LogLevel.Warning), ("CreateFailed", LogLevel.Warning), ("Unavailable", LogLevel.Error), ("Available", LogLevel.Information) },
            records.Select(r => (r.Id.Name, r.Level)));
        Assert.All(records.Take(3), r => Assert.Same(outage, r.Exception));
    }

    private static async Task<PooledConnection<TestConnection>> AcquireHereAsync(ConnectionPool<TestConnection> pool) =>
        await pool.AcquireAsync();

    /// <summary>
    /// The review's recovery scenario with numbers: 100 workers, the backend down for 30 s of fake time
    /// with two connections surviving, then back. Every acquire during the outage either fails at once
    /// or is served by a survivor; afterwards the pool is back to MinSize within one backoff cap.
    /// </summary>
    [Fact]
    public async Task Recovery_HundredWorkersThroughAThirtySecondOutage_FailFastThenRefillWithinOneBackoff()
    {
        await using var pool = TestPools.Create(Factory, Time, maxSize: 10, minSize: 10, acquireTimeout: TimeSpan.FromSeconds(5), configure: o =>
        {
            o.MaxConcurrentCreates = 2;
            o.FailFastAfter = 3;
            o.BackoffInitial = TimeSpan.FromMilliseconds(100);
            o.BackoffMax = TimeSpan.FromSeconds(10);
            o.ValidateAfterIdle = TimeSpan.FromMilliseconds(500);
            o.Random = new FixedRandom(0.5);
        });
        await pool.WarmUpAsync();
        var survivors = Factory.LiveConnections.Take(2).ToHashSet();

        // The backend goes down: new connects are refused and every connection but two is dead.
        Factory.CreateError = new IOException("connection refused");
        Factory.Validate = c => survivors.Contains(c);
        Time.Advance(TimeSpan.FromSeconds(1));

        // The first acquire validates idle connections newest first: the dead ones are destroyed on the
        // way to a survivor, and the MinSize refill's failing creates open the fast-fail window.
        var first = await pool.AcquireAsync();
        Assert.Contains(first.Connection, survivors);
        await first.DisposeAsync();
        await Time.AdvanceUntilAsync(() => pool.GetStatistics().IsUnavailable, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5), "the pool noticed the outage");

        int served = 0, failedFast = 0;
        for (int second = 0; second < 30; second++)
        {
            await Time.StepAsync(TimeSpan.FromSeconds(1)); // the probe that second released has failed again
            // All 100 acquire at once and hold what they get until every one has an answer.
            var outcomes = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => Task.Run(async () =>
            {
                try
                {
                    var lease = await pool.AcquireAsync();
                    Assert.Contains(lease.Connection, survivors);
                    return (PooledConnection<TestConnection>?)lease;
                }
                catch (PoolUnavailableException error)
                {
                    Assert.IsType<IOException>(error.InnerException);
                    return null;
                }
            })));
            served += outcomes.Count(o => o is not null);
            failedFast += outcomes.Count(o => o is null);
            foreach (var lease in outcomes.OfType<PooledConnection<TestConnection>>())
            {
                await lease.DisposeAsync();
            }

            var during = pool.Checked();
            Assert.Equal((0, 0, 2), (during.InUse, during.Waiters, during.Idle));
            Assert.InRange(during.Creating, 0, 1);
        }

        Assert.Equal((60, 2940), (served, failedFast));
        Assert.Equal(0L, pool.Checked().TimedOut);

        // The backend is back: within one backoff cap (10 s) the probe closes the window and MinSize is refilled.
        Factory.CreateError = null;
        Factory.Validate = _ => true;
        await Time.AdvanceUntilAsync(
            () => pool.GetStatistics() is { IsUnavailable: false, Idle: 10 }, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10), "the pool refilled to MinSize");
        var end = pool.Checked();
        Assert.Equal((10, 10, 0, 0), (end.Total, Factory.Live, end.Creating, end.InUse));
        Assert.Equal(end.Live, Factory.Live);
    }
}
