namespace Pool.Tests.Unit;

public sealed class IdleAndClearTests : PoolFixture<ArmedTimerClock>
{

    private async Task<ConnectionPool<TestConnection>> PoolWithIdle(int idle, int maxSize = 5, int minSize = 0, TimeSpan? interval = null)
    {
        var pool = TestPools.Create(Factory, Time, maxSize, minSize, configure: o =>
        {
            o.IdleTimeout = TimeSpan.FromMinutes(10);
            o.MaintenanceInterval = interval ?? Timeout.InfiniteTimeSpan;
        });
        var leases = await pool.AcquireManyAsync(idle);

        foreach (var lease in leases)
        {
            await lease.DisposeAsync();
        }

        return pool;
    }

    [Fact]
    public async Task IdleTimeout_ReapsIdleConnectionsButStopsAtMinSize()
    {
        await using var pool = await PoolWithIdle(idle: 5, minSize: 2);
        Time.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromTicks(1));
        pool.RunMaintenance();
        Assert.Equal(5, pool.Checked().Idle);

        Time.Advance(TimeSpan.FromTicks(1));
        pool.RunMaintenance();

        var stats = pool.Checked();
        Assert.Equal((2, 3L, 3L), (stats.Idle, stats.DestroyedIdle, stats.Destroyed));
        Assert.Equal(2, Factory.Live);
    }

    [Fact]
    public async Task IdleTimeout_ReapsOnlyConnectionsIdleThatLong()
    {
        await using var pool = await PoolWithIdle(idle: 0);
        var a = await pool.AcquireAsync();
        var b = await pool.AcquireAsync();
        var (early, late) = (a.Connection, b.Connection);
        await a.DisposeAsync();
        Time.Advance(TimeSpan.FromMinutes(6));
        await b.DisposeAsync();
        Time.Advance(TimeSpan.FromMinutes(5));

        pool.RunMaintenance();

        Assert.Equal((1, 0), (early.DestroyCount, late.DestroyCount));
        Assert.Equal((1, 1L), (pool.Checked().Idle, pool.Checked().DestroyedIdle));
    }

    [Fact]
    public async Task Maintenance_OnItsInterval_RunsInTheBackground()
    {
        await using var pool = await PoolWithIdle(idle: 3, interval: TimeSpan.FromMinutes(1));

        Time.Advance(TimeSpan.FromMinutes(11));

        await Waits.Until(() => pool.GetStatistics().DestroyedIdle == 3, "the background pass reaped the idle connections");
        Assert.Equal(0, Factory.Live);
    }

    [Fact]
    public async Task Clear_WithConnectionsInUse_DestroysIdleNowAndLeasedOnReturn()
    {
        await using var pool = await PoolWithIdle(idle: 2);
        var held = await pool.AcquireAsync();
        var heldConnection = held.Connection;
        Assert.Equal((1, 1), (pool.Checked().Idle, pool.Checked().InUse));

        pool.Clear();

        var cleared = pool.Checked();
        Assert.Equal((0, 1, 1L, 1L), (cleared.Idle, cleared.InUse, cleared.DestroyedCleared, cleared.Generation));
        Assert.True(held.IsActive);
        Assert.Equal(0, heldConnection.DestroyCount);

        await held.DisposeAsync();

        Assert.Equal((1, 2L, 0), (heldConnection.DestroyCount, pool.Checked().DestroyedCleared, pool.Checked().Total));
        await using var fresh = await pool.AcquireAsync();
        Assert.Equal(3L, pool.Checked().Created);
    }

    [Fact]
    public async Task Clear_WithMinSize_RefillsWithNewConnections()
    {
        await using var pool = await PoolWithIdle(idle: 2, minSize: 2);
        var before = Factory.LiveConnections.ToHashSet();

        pool.Clear();

        await Waits.Until(() => pool.GetStatistics().Idle == 2, "MinSize is refilled after the clear");
        Assert.Empty(before.Intersect(Factory.LiveConnections));
        Assert.Equal(4L, pool.Checked().Created);
    }

    [Fact]
    public async Task Clear_ConnectionIdleFromBeforeTheClear_IsNeverHandedOut()
    {
        await using var pool = await PoolWithIdle(idle: 1, maxSize: 1);
        Factory.Gated = true;
        var held = await pool.AcquireAsync();
        var old = held.Connection;
        pool.Clear();
        await held.DisposeAsync();

        var acquire = pool.AcquireAsync().AsTask();
        await Factory.WaitForPendingAsync(1);
        var fresh = Factory.CompleteNext();

        await using var lease = await acquire;
        Assert.Same(fresh, lease.Connection);
        Assert.Equal(1, old.DestroyCount);
    }

    [Fact]
    public async Task Clear_WhileACreateIsInFlight_RetiresTheConnectionThatCreateOpened()
    {
        await using var pool = await PoolWithIdle(idle: 0, maxSize: 2);
        Factory.Gated = true;
        var acquire = pool.AcquireAsync().AsTask();
        await Factory.WaitForPendingAsync(1);

        pool.Clear();
        var opened = Factory.CompleteNext();
        await Factory.WaitForPendingAsync(1);
        var fresh = Factory.CompleteNext();

        await using var lease = await acquire;
        Assert.Same(fresh, lease.Connection);
        await Waits.Until(() => opened.DestroyCount == 1, "the connection opened before the clear is destroyed");
        Assert.Equal((1L, 2L), (pool.Checked().DestroyedCleared, pool.Checked().Created));
    }
}
