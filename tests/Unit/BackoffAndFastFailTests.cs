namespace Pool.Tests.Unit;

public sealed class BackoffAndFastFailTests : PoolFixture<ArmedTimerClock>
{

    private ConnectionPool<TestConnection> Create(int maxSize = 4, int minSize = 0, int failFastAfter = 3, double random = 1.0) =>
        TestPools.Create(Factory, Time, maxSize, minSize, configure: o =>
        {
            o.BackoffInitial = TimeSpan.FromMilliseconds(100);
            o.BackoffMax = TimeSpan.FromSeconds(1);
            o.FailFastAfter = failFastAfter;
            o.MaxConcurrentCreates = 2;
            o.Random = new FixedRandom(random);
        });

    [Fact]
    public async Task Backoff_AfterConsecutiveFailures_DoublesUpToTheCapAndResetsOnSuccess()
    {
        Factory.CreateError = new IOException("down");
        await using var pool = Create(minSize: 1, failFastAfter: 0);

        var expected = new[] { 100, 200, 400, 800, 1000, 1000 };
        for (int i = 0; i < expected.Length; i++)
        {
            await Waits.Until(() => Factory.CreateCalls == i + 1, $"create {i + 1} was called");
            await Time.UntilArmedAsync(i + 1, $"backoff {i + 1} is armed");
            Assert.Equal(TimeSpan.FromMilliseconds(expected[i]), Time.Armed[i]);
            Time.Advance(TimeSpan.FromMilliseconds(expected[i] - 1));
            Assert.Equal(i + 1, Factory.CreateCalls);
            if (i == expected.Length - 1)
            {
                Factory.CreateError = null;
            }

            Time.Advance(TimeSpan.FromMilliseconds(1));
        }

        await Waits.Until(() => pool.GetStatistics().Idle == 1, "the create after the last backoff succeeded");
        Assert.Equal((0, 6L), (pool.Checked().ConsecutiveCreateFailures, pool.Checked().CreateFailures));

        var lease = await pool.AcquireAsync();
        lease.Invalidate();
        await lease.DisposeAsync();
        await Waits.Until(() => pool.GetStatistics().Idle == 1, "the refill after a success needs no backoff");
        Assert.Equal(6, Time.Armed.Count);
    }

    [Fact]
    public async Task FastFail_AfterFailFastAfterFailures_AcquiresFailAtOnceWithTheLastErrorAndHoldNoSlot()
    {
        await using var pool = Create(random: 0);
        var outage = new IOException("connection refused");
        Factory.CreateError = outage;
        for (int i = 0; i < 2; i++)
        {
            var early = await Assert.ThrowsAsync<ConnectionCreateException>(() => pool.AcquireAsync().AsTask());
            Assert.Same(outage, early.InnerException);
        }

        var opening = await Assert.ThrowsAsync<PoolUnavailableException>(() => pool.AcquireAsync().AsTask());
        Assert.Same(outage, opening.InnerException);
        Assert.True(pool.Checked().IsUnavailable);
        long now = Time.GetTimestamp();

        var fast = pool.AcquireAsync();

        Assert.True(fast.IsFaulted);
        Assert.Equal(now, Time.GetTimestamp());
        var error = await Assert.ThrowsAsync<PoolUnavailableException>(() => fast.AsTask());
        Assert.Same(outage, error.InnerException);
        Assert.Equal(
            "The pool 'test' is unavailable: the last 3 creates failed, the last with: connection refused "
            + "Acquires that no idle connection can serve fail at once until a probe create succeeds; "
            + "retry after 100 ms (RetryAfter), when the next probe is due.",
            error.Message);
        var stats = pool.Checked();
        Assert.Equal((0, 0, 2L), (stats.InUse, stats.Waiters, stats.FailedFast));
        Assert.InRange(stats.Creating, 0, 1);
    }

    [Fact]
    public async Task FastFail_WhenTheWindowOpens_FailsEveryQueuedWaiter()
    {
        Factory.Gated = true;
        await using var pool = Create(maxSize: 1, random: 0);
        var waiters = Enumerable.Range(0, 4).Select(_ => pool.AcquireAsync().AsTask()).ToArray();
        for (int i = 0; i < 3; i++)
        {
            await Factory.WaitForPendingAsync(1);
            Factory.FailNext(new IOException($"refused {i}"));
            if (i < 2)
            {
                await Assert.ThrowsAsync<ConnectionCreateException>(() => waiters[i]);
            }
        }

        foreach (var waiter in waiters.Skip(2))
        {
            var error = await Assert.ThrowsAsync<PoolUnavailableException>(() => waiter);
            Assert.Equal("refused 2", error.InnerException!.Message);
        }

        Assert.Equal((0, true, 2L), (pool.Checked().Waiters, pool.Checked().IsUnavailable, pool.Checked().FailedFast));
    }

    [Fact]
    public async Task FastFail_IdleConnectionsKeepServingWhileTheWindowIsOpen()
    {
        await using var pool = Create(random: 0);
        var connection = await pool.AcquireAndReturnAsync();
        Factory.CreateError = new IOException("down");
        var held = await pool.AcquireAsync();
        for (int i = 0; i < 3; i++)
        {
            await Assert.ThrowsAnyAsync<Exception>(() => pool.AcquireAsync().AsTask());
        }

        Assert.True(pool.Checked().IsUnavailable);
        await held.DisposeAsync();

        await using var lease = await pool.AcquireAsync();
        Assert.Same(connection, lease.Connection);
    }

    [Fact]
    public async Task FastFail_OneProbeAtATimeAfterTheBackoff_ClosesTheWindowWhenTheBackendReturns()
    {
        Factory.CreateError = new IOException("down");
        await using var pool = Create(minSize: 2, random: 1.0);
        await Time.AdvanceUntilAsync(() => pool.GetStatistics().IsUnavailable, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(2), "the window opened");
        int calls = Factory.CreateCalls;

        await Time.AdvanceUntilAsync(() => Factory.CreateCalls >= calls + 3, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(10), "three more probes");
        Assert.InRange(pool.Checked().Creating, 0, 1);
        Assert.True(pool.Checked().IsUnavailable);
        Assert.Equal(0, pool.Checked().Total - pool.Checked().Creating);

        Factory.CreateError = null;
        await Time.AdvanceUntilAsync(() => !pool.GetStatistics().IsUnavailable, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(2), "a probe succeeded");
        await Waits.Until(() => pool.GetStatistics().Idle == 2, "MinSize refilled after the window closed");
        var stats = pool.Checked();
        Assert.Equal((0, false, 2L), (stats.ConsecutiveCreateFailures, stats.IsUnavailable, stats.Created));
        await using var lease = await pool.AcquireAsync();
    }

    [Fact]
    public async Task WarmUp_WhenTheWindowOpens_FailsWithPoolUnavailableException()
    {
        Factory.CreateError = new IOException("down");
        await using var pool = Create(minSize: 2, random: 0);

        var error = await Assert.ThrowsAsync<PoolUnavailableException>(() => pool.WarmUpAsync());

        Assert.IsType<IOException>(error.InnerException);
        await Assert.ThrowsAsync<PoolUnavailableException>(() => pool.WarmUpAsync());
    }

    [Fact]
    public async Task MaxConcurrentCreates_TwentyWaiters_NeverMoreThanTwoCreatesInFlight()
    {
        Factory.Gated = true;
        await using var pool = Create(maxSize: 10);
        var acquires = Enumerable.Range(0, 20).Select(_ => pool.AcquireAsync().AsTask()).ToArray();

        for (int created = 0; created < 10; created++)
        {
            // Both creates the cap allows reach the factory before one is answered; answering the first
            // at once would let a slow thread pool serialise them and the peak below be 1.
            await Factory.WaitForPendingAsync(Math.Min(2, 10 - created));
            Assert.InRange(Factory.PendingCreates, 1, 2);
            Assert.InRange(pool.Checked().Creating, 1, 2);
            Factory.CompleteNext();
        }

        await Waits.Until(() => acquires.Count(a => a.IsCompletedSuccessfully) == 10, "ten acquirers are served");
        Assert.Equal(2, Factory.PeakConcurrentCreates);
        Assert.Equal((10, 10, 0), (pool.Checked().InUse, pool.Checked().Waiters, pool.Checked().Creating));
        foreach (var served in acquires.Where(a => a.IsCompletedSuccessfully).ToArray())
        {
            await (await served).DisposeAsync();
        }

        await Task.WhenAll(acquires);
        Assert.Equal((10L, 20L), (pool.Checked().Created, pool.Checked().Acquired));
        foreach (var acquire in acquires.Skip(10))
        {
            await (await acquire).DisposeAsync();
        }
    }
}
