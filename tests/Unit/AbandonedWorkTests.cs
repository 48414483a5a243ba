namespace Pool.Tests.Unit;

/// <summary>
/// Work the pool gave up on but the backend still runs: creates abandoned at CreateTimeout count
/// against MaxConcurrentCreates and the fast-fail probe (I8, L7), destroys past DestroyTimeout free
/// their slot (L8), and both bound what the backend may hold: Total + Abandoned ≤ MaxSize +
/// MaxConcurrentCreates (I1).
/// </summary>
public sealed class AbandonedWorkTests : PoolFixture<ArmedTimerClock>
{
    [Fact]
    public async Task CreateTimeout_FactoryHangsAndIgnoresItsToken_FiveAcquiresLeaveExactlyOneCreateCallInFlight()
    {
        Factory.Gated = true; // every create hangs until the test answers it, whatever its token says
        await using var pool = TestPools.Create(Factory, Time, maxSize: 1, acquireTimeout: TimeSpan.FromSeconds(20),
            configure: o => (o.MaxConcurrentCreates, o.CreateTimeout) = (1, TimeSpan.FromSeconds(5)));
        await using var release = ReleaseHungWorkAtTheEnd();
        var first = pool.AcquireAsync().AsTask();
        await Factory.WaitForPendingAsync(1);
        await Time.UntilArmedAsync(2, "the create deadline and the first acquire's deadline are armed");
        var others = Enumerable.Range(0, 4).Select(_ => pool.AcquireAsync().AsTask()).ToArray();
        await Waits.Until(() => pool.GetStatistics().Waiters == 5, "five acquires wait");

        Time.Advance(TimeSpan.FromSeconds(5));

        var failed = await Assert.ThrowsAsync<ConnectionCreateException>(() => first);
        Assert.Equal("The pool 'test' could not create a connection: The pool 'test' abandoned a create after CreateTimeout (00:00:05).", failed.Message);
        var abandoned = pool.Checked(); // decided in the same locked section as the failure: no replacement is reserved
        Assert.Equal((0, 1, 1, 4), (abandoned.Creating, abandoned.AbandonedCreates, abandoned.Abandoned, abandoned.Waiters));

        Time.Advance(TimeSpan.FromSeconds(15));

        foreach (var other in others)
        {
            var exhausted = await Assert.ThrowsAsync<PoolExhaustedException>(() => other);
            Assert.StartsWith("Timed out after 00:00:20 waiting for a connection from pool 'test' (MaxSize=1, AcquireTimeout=00:00:20; at the timeout InUse=0, Creating=0,", exhausted.Message, StringComparison.Ordinal);
        }

        Assert.Equal((1, 1, 1), (Factory.CreateCalls, Factory.CreatesInFlight, Factory.PeakConcurrentCreates));
        var end = pool.Checked();
        Assert.Equal((0, 1, 1L, 4L), (end.Creating, end.AbandonedCreates, end.CreateTimeouts, end.TimedOut));

        // The hung call finally answers: its late connection is destroyed, and the bound frees a create again.
        var late = Factory.CompleteNext();
        await Waits.Until(() => late.DestroyCount == 1 && pool.GetStatistics().Abandoned == 0, "the late connection is destroyed");
        Assert.Equal(0, pool.Checked().AbandonedCreates);
        var next = pool.AcquireAsync().AsTask();
        await Factory.WaitForPendingAsync(1);
        Factory.CompleteNext();
        await using var lease = await next;
        Assert.Equal((2, 1L, 1L), (Factory.CreateCalls, pool.Checked().Created, pool.Checked().LateConnections));
    }

    [Fact]
    public async Task FastFail_TheAbandonedProbeStillRunning_IsTheOneProbe()
    {
        Factory.Gated = true;
        await using var pool = TestPools.Create(Factory, Time, maxSize: 2, acquireTimeout: TimeSpan.FromSeconds(20), configure: o =>
        {
            (o.MaxConcurrentCreates, o.CreateTimeout, o.FailFastAfter) = (2, TimeSpan.FromSeconds(5), 1);
            (o.BackoffInitial, o.BackoffMax) = (TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        });
        await using var release = ReleaseHungWorkAtTheEnd();
        var first = pool.AcquireAsync().AsTask();
        await Factory.WaitForPendingAsync(1);
        await Time.UntilArmedAsync(2, "the create deadline and the acquire deadline are armed");

        Time.Advance(TimeSpan.FromSeconds(5));

        await Assert.ThrowsAsync<PoolUnavailableException>(() => first);
        var window = pool.Checked();
        Assert.Equal((true, 0, 1), (window.IsUnavailable, window.Creating, window.AbandonedCreates));

        // However long the window stays open, the abandoned call is the probe: no second dial.
        Time.Advance(TimeSpan.FromSeconds(30));
        await Assert.ThrowsAsync<PoolUnavailableException>(() => pool.AcquireAsync().AsTask());
        Assert.Equal((1, 0), (Factory.CreateCalls, pool.Checked().Creating));

        // It answers late: the window stays open (a late connection is not a success), and a new probe starts.
        var late = Factory.CompleteNext();
        await Waits.Until(() => late.DestroyCount == 1 && pool.GetStatistics().Creating == 1, "the late connection is destroyed and a new probe reserved");
        await Time.AdvanceUntilAsync(() => Factory.CreateCalls == 2, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), "the new probe dials");
        await Factory.WaitForPendingAsync(1); // the call is counted as it starts, a moment before it waits at the gate
        Factory.CompleteNext();
        await Waits.Until(() => !pool.GetStatistics().IsUnavailable, "the probe closes the window");
    }

    [Fact]
    public async Task DestroyTimeout_MaxSizeDestroysHang_FreesTheirSlotsAndAcquiresSucceedAgain()
    {
        Factory.DestroyHangs = true;
        using var loggers = Telemetry.Logs(_logs);
        await using var pool = TestPools.Create(Factory, Time, maxSize: 2, acquireTimeout: TimeSpan.FromMinutes(1),
            configure: o => (o.DestroyTimeout, o.LoggerFactory) = (TimeSpan.FromSeconds(5), loggers));
        await using var release = ReleaseHungWorkAtTheEnd();
        var a = await pool.AcquireAsync();
        var b = await pool.AcquireAsync();
        a.Invalidate();
        b.Invalidate();
        await a.DisposeAsync();
        await b.DisposeAsync();
        await UntilDestroyDeadlinesArmedAsync(2);
        Assert.Equal((2, 2), (Factory.DestroysInFlight, pool.Checked().Destroying));
        var waiting = pool.AcquireAsync().AsTask();
        Assert.False(waiting.IsCompleted); // both slots are held by destroys that never end

        Time.Advance(TimeSpan.FromSeconds(5));

        await Waits.Until(() => waiting.IsCompleted, "the acquire is served in a slot a hung destroy gave up");
        await using var served = await waiting;
        var stats = pool.Checked();
        Assert.Equal((0, 2, 2L, 2L, 3L), (stats.Destroying, stats.Abandoned, stats.DestroyTimeouts, stats.Destroyed, stats.Created));
        Assert.Equal(0, stats.AbandonedCreates);
        Assert.Equal(2, Factory.DestroysInFlight);
        Assert.Equal(2, _logs.GetSnapshot().Count(r => r.Id.Name == "DestroyTimedOut" && r.Level == LogLevel.Warning));
        Assert.Equal(
            "Pool 'test' abandoned a destroy after DestroyTimeout 00:00:05; its slot is free again and the connection counts as abandoned until the destroy completes.",
            _logs.GetSnapshot().First(r => r.Id.Name == "DestroyTimedOut").Message);

        Factory.ReleaseDestroys();

        await Waits.Until(() => pool.GetStatistics().Abandoned == 0, "the abandoned destroys complete");
        Assert.Equal((2L, 0L), (pool.Checked().Destroyed, pool.Checked().DestroyFailures));
    }

    [Fact]
    public async Task DestroyTimeout_AbandonedDestroysAndTheSlots_NeverExceedMaxSizePlusMaxConcurrentCreates()
    {
        Factory.DestroyHangs = true;
        await using var pool = TestPools.Create(Factory, Time, maxSize: 2, acquireTimeout: TimeSpan.FromSeconds(30),
            configure: o => (o.MaxConcurrentCreates, o.DestroyTimeout) = (1, TimeSpan.FromSeconds(5)));
        await using var release = ReleaseHungWorkAtTheEnd();
        for (int round = 1; round <= 2; round++)
        {
            var lease = await pool.AcquireAsync();
            lease.Invalidate();
            await lease.DisposeAsync();
            await UntilDestroyDeadlinesArmedAsync(round);
            Time.Advance(TimeSpan.FromSeconds(5));
            await Waits.Until(() => pool.GetStatistics().Abandoned == round, "the destroy is abandoned");
        }

        // Two connections are still open at the backend; one more slot keeps it at MaxSize 2 + MaxConcurrentCreates 1.
        await using var third = await pool.AcquireAsync();
        var blocked = pool.AcquireAsync().AsTask();
        await Waits.Until(() => pool.GetStatistics().Waiters == 1, "the second acquire waits");
        var stats = pool.Checked();
        Assert.Equal((1, 2, 0, 3), (stats.Total, stats.Abandoned, stats.Creating, Factory.Live));
        Assert.Equal(3, Factory.CreateCalls);

        Factory.ReleaseDestroys();

        await Waits.Until(() => blocked.IsCompleted, "the acquire is served once an abandoned destroy completed");
        await using var fourth = await blocked;

        // The first released destroy served the acquire; the second may still be finishing.
        await Waits.Until(() => pool.GetStatistics().Abandoned == 0, "both abandoned destroys completed");
        Assert.Equal((4, 2, 0), (Factory.CreateCalls, pool.Checked().Total, pool.Checked().Abandoned));
    }

    [Fact]
    public async Task Dispose_WaitsForAnAbandonedDestroyWithinDisposeTimeout()
    {
        Factory.DestroyHangs = true;
        var pool = TestPools.Create(Factory, Time, maxSize: 1, disposeTimeout: Timeout.InfiniteTimeSpan,
            configure: o => o.DestroyTimeout = TimeSpan.FromSeconds(5));
        await using var release = ReleaseHungWorkAtTheEnd();
        var lease = await pool.AcquireAsync();
        lease.Invalidate();
        await lease.DisposeAsync();
        await UntilDestroyDeadlinesArmedAsync(1);
        Time.Advance(TimeSpan.FromSeconds(5));
        await Waits.Until(() => pool.GetStatistics().Abandoned == 1, "the destroy is abandoned");

        var disposing = pool.DisposeAsync().AsTask();

        Assert.False(disposing.IsCompleted);
        Factory.ReleaseDestroys();
        await disposing;
        Assert.Equal((0, 0, 0), (pool.Checked().Total, pool.Checked().Abandoned, Factory.Live));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void DestroyTimeout_ZeroOrNegative_IsRejectedNamingTheSettingAndItsRange(int seconds)
    {
        var options = new ConnectionPoolOptions { DestroyTimeout = TimeSpan.FromSeconds(seconds) };

        var problem = Assert.Single(options.Validate());

        Assert.Equal(
            $"DestroyTimeout is {TimeSpan.FromSeconds(seconds)}; it must be greater than zero and at most 49.17:02:47.2940000, or Timeout.InfiniteTimeSpan.",
            problem);
        var error = Assert.Throws<ArgumentException>(() => new ConnectionPool<TestConnection>(Factory, options));
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DestroyTimeout_DefaultsToThirtySecondsAndAcceptsInfinite()
    {
        Assert.Equal(TimeSpan.FromSeconds(30), new ConnectionPoolOptions().DestroyTimeout);
        Assert.Empty(new ConnectionPoolOptions { DestroyTimeout = Timeout.InfiniteTimeSpan }.Validate());
    }

    private readonly FakeLogCollector _logs = new();

    /// <summary>
    /// Disposed before the pool (declared after it): a test that fails while creates or destroys hang
    /// must not leave the pool's dispose waiting for them forever.
    /// </summary>
    private AsyncRelease ReleaseHungWorkAtTheEnd() => new(Factory);

    private Task UntilDestroyDeadlinesArmedAsync(int count) =>
        Waits.Until(() => Time.Armed.Count(due => due == TimeSpan.FromSeconds(5)) == count, $"{count} destroy deadlines are armed");

    private sealed class AsyncRelease(FakeFactory factory) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            factory.DestroyHangs = false; // the pool's own dispose destroys what is left
            factory.ReleaseDestroys();
            factory.Gated = false;
            while (factory.PendingCreates > 0)
            {
                factory.FailNext(new InvalidOperationException("The test is over."));
            }

            return default;
        }
    }
}
