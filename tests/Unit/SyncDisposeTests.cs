namespace Pool.Tests.Unit;

/// <summary>Dispose() for callers that cannot await (a using statement, ServiceProvider.Dispose()).</summary>
public sealed class SyncDisposeTests : PoolFixture<FakeTimeProvider>
{
    [Fact]
    public async Task Dispose_WithIdleConnections_DestroysEachOnceBeforeItReturns()
    {
        var pool = TestPools.Create(Factory, Time, maxSize: 3);
        var leases = new[] { await pool.AcquireAsync(), await pool.AcquireAsync() };
        var connections = leases.Select(l => l.Connection).ToArray();
        foreach (var lease in leases)
        {
            await lease.DisposeAsync();
        }

        pool.Dispose();

        var stats = pool.Checked();
        Assert.Equal((true, 0, 2L, 2L), (stats.IsDisposed, stats.Total, stats.Destroyed, stats.DestroyedDisposed));
        Assert.Equal([1, 1], connections.Select(c => c.DestroyCount));
        Assert.Throws<ObjectDisposedException>(() => pool.TryAcquire(out _));
    }

    [Fact]
    public async Task Dispose_WithALeaseOut_BlocksUntilItIsReturnedOnAnotherThread()
    {
        var pool = TestPools.Create(Factory, Time, disposeTimeout: Timeout.InfiniteTimeSpan);
        var lease = await pool.AcquireAsync();
        var connection = lease.Connection;

        var disposing = Task.Factory.StartNew(pool.Dispose, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        await Waits.Until(() => pool.GetStatistics().IsDisposed, "Dispose() has marked the pool disposed");
        Assert.False(disposing.IsCompleted);
        Assert.Equal((1, 0), (pool.Checked().InUse, connection.DestroyCount));

        await lease.DisposeAsync();
        await disposing;

        Assert.Equal((1, 0, 1L), (connection.DestroyCount, pool.Checked().Total, pool.Checked().Destroyed));
    }

    [Fact]
    public async Task Dispose_WithALeaseNeverReturned_ReturnsAtTheDisposeTimeout()
    {
        var clock = new ArmedTimerClock();
        var pool = TestPools.Create(Factory, clock, disposeTimeout: TimeSpan.FromSeconds(5));
        var lease = await pool.AcquireAsync();
        int timersBefore = clock.Armed.Count;

        var disposing = Task.Factory.StartNew(pool.Dispose, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        await clock.UntilArmedAsync(timersBefore + 1, "the dispose timeout is armed");
        Assert.Equal(TimeSpan.FromSeconds(5), clock.Armed[^1]);
        clock.Advance(TimeSpan.FromMilliseconds(4999));
        Assert.False(disposing.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        await disposing;

        Assert.Equal(1, pool.Checked().InUse);
        await lease.DisposeAsync();
        Assert.Equal((0, 1L), (pool.Checked().Total, pool.Checked().Destroyed));
    }

    [Fact]
    public async Task Dispose_AfterDisposeAsync_DestroysNothingTwice()
    {
        var pool = TestPools.Create(Factory, Time);
        await pool.AcquireAndReturnAsync();
        await pool.DisposeAsync();

        pool.Dispose();
        pool.Dispose();

        Assert.Equal((1, 1L), (Factory.DestroyCalls, pool.Checked().Destroyed));
    }
}
