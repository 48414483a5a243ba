namespace Pool.Tests.Unit;

/// <summary>
/// Dispose() called on a thread that owns a single-threaded SynchronizationContext (a UI thread,
/// classic ASP.NET): no factory code may start on that context, which is blocked in Dispose().
/// </summary>
public sealed class SyncDisposeContextTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly FakeFactory _fake = new();

    [Fact]
    public async Task Dispose_OnASingleThreadedContext_WithADestroyThatAwaitsWithoutConfigureAwait_ReturnsWithTheDestroyDone()
    {
        var factory = new HookedFactory(_fake) { OnDestroy = async _ => await Task.Yield() }; // posts to the current context, if any
        var pool = new ConnectionPool<TestConnection>(factory, TestPools.CoreOptions(_time, disposeTimeout: Timeout.InfiniteTimeSpan));
        var leases = new[] { await pool.AcquireAsync(), await pool.AcquireAsync() };
        foreach (var lease in leases)
        {
            await lease.DisposeAsync();
        }

        SingleThreadSynchronizationContext? context = null;
        int pumped = -1;
        var owner = new Thread(() =>
        {
            context = new SingleThreadSynchronizationContext();
            SynchronizationContext.SetSynchronizationContext(context);
            pool.Dispose();
            pumped = context.Pump();
        })
        {
            IsBackground = true, // a regression leaves this thread blocked forever; the test fails below instead of hanging
            Name = "single-threaded context",
        };
        owner.Start();

        await Waits.Until(() => !owner.IsAlive, "Dispose() returned on the thread that owns the single-threaded context");

        var stats = pool.Checked();
        Assert.Equal((true, 0, 0, 2L, 2L), (stats.IsDisposed, stats.Total, stats.Destroying, stats.Destroyed, stats.DestroyedDisposed));
        Assert.Equal((2, 2), (_fake.DestroyCalls, factory.DestroysFinished));
        Assert.Equal((0, 0), (context!.Posted, pumped)); // nothing was ever posted to the blocked thread
    }

    [Fact]
    public async Task Dispose_OnASingleThreadedContext_WithALeaseReturnedLater_DestroysItOffTheBlockedThread()
    {
        var factory = new HookedFactory(_fake) { OnDestroy = async _ => await Task.Yield() };
        var pool = new ConnectionPool<TestConnection>(factory, TestPools.CoreOptions(_time, disposeTimeout: Timeout.InfiniteTimeSpan));
        var lease = await pool.AcquireAsync();

        SingleThreadSynchronizationContext? context = null;
        var owner = new Thread(() =>
        {
            context = new SingleThreadSynchronizationContext();
            SynchronizationContext.SetSynchronizationContext(context);
            pool.Dispose();
        })
        {
            IsBackground = true,
            Name = "single-threaded context",
        };
        owner.Start();
        await Waits.Until(() => pool.GetStatistics().IsDisposed, "Dispose() has marked the pool disposed");
        Assert.True(owner.IsAlive);

        await lease.DisposeAsync();
        await Waits.Until(() => !owner.IsAlive, "Dispose() returned once the lease came back");

        Assert.Equal((0, 1L, 1), (pool.Checked().Total, pool.Checked().Destroyed, factory.DestroysFinished));
        Assert.Equal(0, context!.Posted);
    }
}
