namespace Pool.Tests.Unit;

public sealed class LifetimeTests : PoolFixture<ArmedTimerClock>
{

    private ConnectionPool<TestConnection> Create(Random random, int maxSize = 4, int minSize = 0, double jitter = 0.1) =>
        TestPools.Create(Factory, Time, maxSize, minSize, configure: o =>
        {
            o.MaxLifetime = TimeSpan.FromSeconds(100);
            o.LifetimeJitter = jitter;
            o.Random = random;
        });

    [Fact]
    public async Task Lifetime_ShortenedByJitter_ExpiresEachConnectionAtItsOwnTime()
    {
        // Random draws: backoff draws none (no failures); each create draws one for its lifetime.
        await using var pool = Create(new FixedRandom(0.0, 0.5, 1.0));
        var leases = new[] { await pool.AcquireAsync(), await pool.AcquireAsync(), await pool.AcquireAsync() };
        foreach (var lease in leases)
        {
            await lease.DisposeAsync();
        }

        Time.Advance(TimeSpan.FromSeconds(90) - TimeSpan.FromTicks(1));
        pool.RunMaintenance();
        Assert.Equal(0L, pool.Checked().DestroyedExpired);
        Time.Advance(TimeSpan.FromTicks(1));
        pool.RunMaintenance();
        Assert.Equal(1L, pool.Checked().DestroyedExpired);
        Time.Advance(TimeSpan.FromSeconds(5));
        pool.RunMaintenance();
        Assert.Equal(2L, pool.Checked().DestroyedExpired);
        Time.Advance(TimeSpan.FromSeconds(5));
        pool.RunMaintenance();
        Assert.Equal((3L, 0), (pool.Checked().DestroyedExpired, pool.Checked().Total));
    }

    [Fact]
    public async Task Lifetime_DefaultJitter_NoTwoOfAHundredConnectionsExpireOnTheSameTick()
    {
        await using var pool = TestPools.Create(Factory, Time, maxSize: 100, configure: o => o.Random = Random.Shared);
        var leases = await pool.AcquireManyAsync(100);

        var expiries = leases.Select(l => l.Entry!.ExpiresAt).ToArray();
        Assert.Equal(100, expiries.Distinct().Count());
        long start = Time.GetTimestamp();
        long lifetime = (long)(TimeSpan.FromMinutes(30).TotalSeconds * Time.TimestampFrequency);
        Assert.All(expiries, e => Assert.InRange(e - start, (long)(lifetime * 0.975), lifetime));
        foreach (var lease in leases)
        {
            await lease.DisposeAsync();
        }
    }

    [Fact]
    public async Task Lifetime_ExpiredWhileLeased_IsDestroyedOnReturnAndReplacedForAWaiter()
    {
        await using var pool = Create(FixedRandom.Zero, maxSize: 1);
        var lease = await pool.AcquireAsync();
        var old = lease.Connection;
        var waiting = pool.AcquireAsync(Timeout.InfiniteTimeSpan).AsTask();
        Time.Advance(TimeSpan.FromSeconds(100));

        await lease.DisposeAsync();

        await using var next = await waiting;
        Assert.NotSame(old, next.Connection);
        Assert.Equal((1, 1L, 2L), (old.DestroyCount, pool.Checked().DestroyedExpired, pool.Checked().Created));
    }

    [Fact]
    public async Task Lifetime_ExpiredWhileIdle_IsSkippedOnBorrow()
    {
        await using var pool = Create(FixedRandom.Zero);
        var old = await pool.AcquireAndReturnAsync();
        Time.Advance(TimeSpan.FromSeconds(100));

        await using var next = await pool.AcquireAsync();

        Assert.NotSame(old, next.Connection);
        Assert.Equal((1L, 1), (pool.Checked().DestroyedExpired, old.DestroyCount));
    }

    [Fact]
    public async Task Lifetime_ExpiredIdleConnectionsBelowMinSize_AreReplacedByMaintenance()
    {
        await using var pool = Create(FixedRandom.Zero, maxSize: 4, minSize: 2, jitter: 0);
        await pool.WarmUpAsync();
        Time.Advance(TimeSpan.FromSeconds(100));

        pool.RunMaintenance();

        await Waits.Until(() => pool.GetStatistics().Idle == 2, "MinSize is refilled");
        Assert.Equal((2L, 4L), (pool.Checked().DestroyedExpired, pool.Checked().Created));
    }
}
