namespace Pool.Tests.Unit;

/// <summary>
/// Work the pool owns never runs in a caller's ExecutionContext: the AsyncLocals (Activity.Current,
/// log scopes) of the acquirer that caused a create, the caller whose return caused a destroy, or the
/// code that built the pool stay with that caller.
/// </summary>
public sealed class ExecutionContextTests
{
    private static readonly AsyncLocal<string?> Ambient = new();

    private readonly FakeFactory _fake = new();

    [Fact]
    public async Task Create_StartedForAnAcquirer_DoesNotSeeTheAcquirersAsyncLocals()
    {
        var seen = new List<string?>();
        var factory = new HookedFactory(_fake) { OnCreate = () => { lock (seen) { seen.Add(Ambient.Value); } } };
        var pool = new ConnectionPool<TestConnection>(factory, TestPools.CoreOptions(new FakeTimeProvider()));

        Ambient.Value = "acquirer";
        var lease = await pool.AcquireAsync();

        Assert.Equal("acquirer", Ambient.Value); // the acquirer keeps its own
        Assert.Equal([null], seen);
        Assert.Equal((1, 1L), (pool.Checked().InUse, pool.Checked().Created));
        lease.Dispose();
    }

    [Fact]
    public async Task Destroy_StartedByAReturn_DoesNotSeeTheReturnersAsyncLocals()
    {
        var seen = new List<string?>();
        var factory = new HookedFactory(_fake)
        {
            OnDestroy = _ =>
            {
                lock (seen)
                {
                    seen.Add(Ambient.Value);
                }

                return Task.CompletedTask;
            },
        };
        var pool = new ConnectionPool<TestConnection>(factory, TestPools.CoreOptions(new FakeTimeProvider()));
        var lease = await pool.AcquireAsync();

        Ambient.Value = "returner";
        lease.Invalidate();
        lease.Dispose(); // the destroy starts inline, before this returns

        Assert.Equal("returner", Ambient.Value);
        Assert.Equal([null], seen);
        Assert.Equal((0, 1L, 1), (pool.Checked().Total, pool.Checked().Destroyed, factory.DestroysFinished));
    }

    [Fact]
    public async Task MaintenanceTimer_DoesNotKeepTheConstructorsAsyncLocals()
    {
        var clock = new ContextCapturingClock(); // timers fire in the context they were created in, as the system's do
        var logger = new ProbeLogger(() => Ambient.Value);

        // Built on another task: the constructor's AsyncLocal does not flow back to this test.
        var pool = await Task.Run(() =>
        {
            Ambient.Value = "constructor";
            return TestPools.Create(_fake, clock, configure: o =>
            {
                o.IdleTimeout = TimeSpan.FromMinutes(1);
                o.MaintenanceInterval = TimeSpan.FromSeconds(15);
                o.LoggerFactory = Telemetry.LogsTo(logger);
            });
        });
        Assert.Null(Ambient.Value);
        await pool.AcquireAndReturnAsync();

        clock.Advance(TimeSpan.FromSeconds(75)); // the pass at 75 s retires the idle connection and logs Evicted

        Assert.Equal((0, 1L), (pool.Checked().Total, pool.Checked().DestroyedIdle));
        Assert.Equal([("Evicted", (string?)null)], logger.Seen.Where(e => e.Event == "Evicted"));
    }
}
