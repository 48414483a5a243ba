namespace Pool.Tests.Extensions;

/// <summary>
/// The health check's three states, driven with a real pool, a scripted factory and a fake clock,
/// and read through the platform's <see cref="HealthCheckService"/> as an app would.
/// </summary>
public sealed class HealthCheckTests : IAsyncDisposable
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);

    private readonly ArmedTimerClock _clock = new();
    private readonly FakeFactory _factory = new();
    private ServiceProvider? _provider;

    public ValueTask DisposeAsync() => _provider?.DisposeAsync() ?? default;

    [Fact]
    public async Task Healthy_WhenThePoolServesAndNothingFailedRecently()
    {
        var pool = Build();
        var held = await pool.AcquireAsync();
        await (await pool.AcquireAsync()).DisposeAsync();

        var entry = await CheckAsync();

        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Equal("Pool 'orders' is available: 1 idle, 1 in use, 0 creating, 0 waiting (MaxSize 2).", entry.Description);
        HealthData.Assert(HealthData.Of(maxSize: 2, idle: 1, inUse: 1, acquired: 2), entry);
        await held.DisposeAsync();
    }

    [Fact]
    public async Task Degraded_ForTheWindowAfterACheckSawAnAcquireTimeOut_ThenHealthy()
    {
        var pool = Build(o => o.MaxSize = 1);
        await using var held = await pool.AcquireAsync();
        await TimeOutAnAcquireAsync(pool);

        var seen = await CheckAsync();
        _clock.Advance(Window - Tick);
        var stillSeen = await CheckAsync();
        _clock.Advance(Tick);
        var gone = await CheckAsync();

        Assert.Equal(HealthStatus.Degraded, seen.Status);
        Assert.Equal("Pool 'orders': in the last 00:00:30, 1 acquire timed out.", seen.Description);
        HealthData.Assert(HealthData.Of(maxSize: 1, inUse: 1, acquired: 1, timedOut: 1, recentTimedOut: 1), seen);
        Assert.Equal((seen.Status, seen.Description), (stillSeen.Status, stillSeen.Description));
        HealthData.Assert(seen.Data, stillSeen);
        Assert.Equal(HealthStatus.Healthy, gone.Status);
        Assert.Equal("Pool 'orders' is available: 0 idle, 1 in use, 0 creating, 0 waiting (MaxSize 1).", gone.Description);
        HealthData.Assert(HealthData.Of(maxSize: 1, inUse: 1, acquired: 1, timedOut: 1), gone);
    }

    [Fact]
    public async Task Degraded_CountsTimeoutsAndCreateFailuresSeenWithinTheWindow_EachForItsOwnWindow()
    {
        var pool = Build(o => o.MaxSize = 1);
        _factory.CreateError = new IOException("refused");
        for (int i = 0; i < 2; i++)
        {
            await Assert.ThrowsAsync<ConnectionCreateException>(() => pool.AcquireAsync().AsTask());
        }

        _factory.CreateError = null;
        await using var held = await pool.AcquireAsync();
        await TimeOutAnAcquireAsync(pool);
        await TimeOutAnAcquireAsync(pool);
        var first = await CheckAsync();

        _clock.Advance(TimeSpan.FromSeconds(10));
        await TimeOutAnAcquireAsync(pool);
        var both = await CheckAsync();

        _clock.Advance(TimeSpan.FromSeconds(20));
        var second = await CheckAsync();

        _clock.Advance(TimeSpan.FromSeconds(10));
        var none = await CheckAsync();

        Assert.Equal(HealthStatus.Degraded, first.Status);
        Assert.Equal("Pool 'orders': in the last 00:00:30, 2 acquires timed out and 2 creates failed.", first.Description);
        HealthData.Assert(HealthData.Of(maxSize: 1, inUse: 1, acquired: 1, timedOut: 2, createFailures: 2, recentTimedOut: 2, recentCreateFailures: 2), first);
        Assert.Equal("Pool 'orders': in the last 00:00:30, 3 acquires timed out and 2 creates failed.", both.Description);
        HealthData.Assert(HealthData.Of(maxSize: 1, inUse: 1, acquired: 1, timedOut: 3, createFailures: 2, recentTimedOut: 3, recentCreateFailures: 2), both);
        Assert.Equal(HealthStatus.Degraded, second.Status);
        Assert.Equal("Pool 'orders': in the last 00:00:30, 1 acquire timed out.", second.Description);
        Assert.Equal(HealthStatus.Healthy, none.Status);
        HealthData.Assert(HealthData.Of(maxSize: 1, inUse: 1, acquired: 1, timedOut: 3, createFailures: 2), none);
    }

    [Fact]
    public async Task Degraded_WhenTheFastFailWindowIsOpenButIdleConnectionsStillServe()
    {
        var pool = Build(o => (o.MaxSize, o.FailFastAfter) = (3, 1));
        var first = await pool.AcquireAsync();
        await (await pool.AcquireAsync()).DisposeAsync();
        _factory.CreateError = new IOException("refused");
        var idle = await pool.AcquireAsync();
        await Assert.ThrowsAsync<PoolUnavailableException>(() => pool.AcquireAsync().AsTask());
        await idle.DisposeAsync();

        var entry = await CheckAsync();

        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Equal("Pool 'orders' is unavailable (the last create failed), but it still has 1 idle connection to serve acquires.", entry.Description);
        HealthData.Assert(HealthData.Of(maxSize: 3, idle: 1, inUse: 1, creating: 1, unavailable: true, consecutiveFailures: 1, acquired: 3, createFailures: 1, failedFast: 1, recentCreateFailures: 1),
            entry);
        await first.DisposeAsync();
    }

    [Fact]
    public async Task Unhealthy_WhenTheFastFailWindowIsOpenWithNothingIdle_DegradedWhileItRecovers_ThenHealthy()
    {
        var pool = Build(o =>
        {
            (o.MaxSize, o.FailFastAfter) = (1, 2);
            (o.BackoffInitial, o.BackoffMax) = (TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1));
        });
        _factory.CreateError = new IOException("refused");
        await Assert.ThrowsAsync<ConnectionCreateException>(() => pool.AcquireAsync().AsTask());
        await Assert.ThrowsAsync<PoolUnavailableException>(() => pool.AcquireAsync().AsTask());
        await Assert.ThrowsAsync<PoolUnavailableException>(() => pool.AcquireAsync().AsTask());
        PoolRest.Follow(_clock, pool, _factory);
        await _clock.SettledAsync(); // the probe create waits out its backoff: its timer is armed before the clock moves
        Assert.Equal((1, 1), (pool.GetStatistics().Creating, _clock.ParkedPauses));

        var down = await CheckAsync();

        _factory.CreateError = null;
        _clock.Advance(TimeSpan.FromMilliseconds(100));
        await Waits.Until(() => pool.GetStatistics() is { IsUnavailable: false, Idle: 1 }, "the probe succeeded and closed the window");
        var recovering = await CheckAsync();
        _clock.Advance(Window);
        var back = await CheckAsync();

        Assert.Equal(HealthStatus.Unhealthy, down.Status);
        Assert.Equal(
            "Pool 'orders' is unavailable: the last 2 creates failed and no idle connection is left, so acquires fail at once until a probe create succeeds.",
            down.Description);
        HealthData.Assert(HealthData.Of(maxSize: 1, creating: 1, unavailable: true, consecutiveFailures: 2, createFailures: 2, failedFast: 2, recentCreateFailures: 2),
            down);
        Assert.Equal(HealthStatus.Degraded, recovering.Status);
        Assert.Equal("Pool 'orders': in the last 00:00:30, 2 creates failed.", recovering.Description);
        HealthData.Assert(HealthData.Of(maxSize: 1, idle: 1, createFailures: 2, failedFast: 2, recentCreateFailures: 2), recovering);
        Assert.Equal(HealthStatus.Healthy, back.Status);
        HealthData.Assert(HealthData.Of(maxSize: 1, idle: 1, createFailures: 2, failedFast: 2), back);
    }

    [Fact]
    public async Task TheRegistrationsFailureStatus_ReplacesUnhealthy()
    {
        var pool = Build(o => o.FailFastAfter = 1, failureStatus: HealthStatus.Degraded);
        _factory.CreateError = new IOException("refused");
        await Assert.ThrowsAsync<PoolUnavailableException>(() => pool.AcquireAsync().AsTask());

        var entry = await CheckAsync();

        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Equal(
            "Pool 'orders' is unavailable: the last create failed and no idle connection is left, so acquires fail at once until a probe create succeeds.",
            entry.Description);
    }

    [Fact]
    public async Task Unhealthy_WhenThePoolIsDisposed()
    {
        var pool = Build();
        await (await pool.AcquireAsync()).DisposeAsync();
        await pool.DisposeAsync();

        var entry = await CheckAsync();

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Equal("Pool 'orders' is disposed.", entry.Description);
        HealthData.Assert(HealthData.Of(maxSize: 2, acquired: 1), entry);
    }

    [Fact]
    public async Task AZeroWindow_DegradesOnlyTheCheckThatSeesTheTimeout()
    {
        var pool = Build(o => o.MaxSize = 1, degradedWindow: TimeSpan.Zero);
        await using var held = await pool.AcquireAsync();
        await TimeOutAnAcquireAsync(pool);

        var seen = await CheckAsync();
        var next = await CheckAsync();

        Assert.Equal(HealthStatus.Degraded, seen.Status);
        Assert.Equal("Pool 'orders': in the last 00:00:00, 1 acquire timed out.", seen.Description);
        Assert.Equal(HealthStatus.Healthy, next.Status);
    }

    [Fact]
    public async Task TheCheck_TakesItsNameAndTags_AndChecksAPoolTheContainerHoldsAnotherWay()
    {
        var services = Containers.OnClock(_clock);
        services.AddSingleton(new ConnectionPool<TestConnection>(_factory, new ConnectionPoolOptions { Name = "by-hand", TimeProvider = _clock }));
        services.AddHealthChecks().AddConnectionPool("manual", provider => provider.GetRequiredService<ConnectionPool<TestConnection>>(), tags: ["ready"]);
        services.AddConnectionPool<TestConnection>("orders", _ => _factory).AddHealthCheck(name: "orders-pool", tags: ["live", "ready"]);
        _provider = services.BuildServiceProvider();

        var report = await _provider.GetRequiredService<HealthCheckService>().CheckHealthAsync(check => check.Tags.Contains("ready"));

        Assert.Equal(["manual", "orders-pool"], report.Entries.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("Pool 'by-hand' is available: 0 idle, 0 in use, 0 creating, 0 waiting (MaxSize 10).", report.Entries["manual"].Description);
        Assert.Equal(["ready"], report.Entries["manual"].Tags);
        Assert.Equal("Pool 'orders' is available: 0 idle, 0 in use, 0 creating, 0 waiting (MaxSize 10).", report.Entries["orders-pool"].Description);
        Assert.Equal(["live", "ready"], report.Entries["orders-pool"].Tags);
        Assert.Equal(HealthStatus.Healthy, report.Status);
    }

    [Fact]
    public void ADegradedWindowOutOfRange_IsRefusedWhenTheCheckIsAdded()
    {
        var services = new ServiceCollection();
        var builder = services.AddConnectionPool<TestConnection>("orders", _ => _factory);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => builder.AddHealthCheck(degradedWindow: -Tick));

        Assert.Equal("degradedWindow", error.ParamName);
        Assert.Equal(
            "The degraded window must be between 00:00:00 and 49.17:02:47.2940000. (Parameter 'degradedWindow')" + Environment.NewLine
            + "Actual value was -00:00:00.0000001.",
            error.Message);
    }

    private ConnectionPool<TestConnection> Build(
        Action<ConnectionPoolOptions>? configure = null, HealthStatus? failureStatus = null, TimeSpan? degradedWindow = null)
    {
        var services = Containers.OnClock(_clock);
        services.AddConnectionPool<TestConnection>("orders", _ => _factory, o =>
            {
                Settings.Quiet(o);
                o.DisposeTimeout = TimeSpan.Zero; // a test that fails holding a lease must not hang the container's dispose
                configure?.Invoke(o);
            })
            .AddHealthCheck(failureStatus: failureStatus, degradedWindow: degradedWindow ?? Window);
        _provider = services.BuildServiceProvider();
        return _provider.GetRequiredService<ConnectionPool<TestConnection>>();
    }

    private async Task<HealthReportEntry> CheckAsync()
    {
        var report = await _provider!.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        return Assert.Single(report.Entries, e => e.Key == "orders").Value;
    }

    private async Task TimeOutAnAcquireAsync(ConnectionPool<TestConnection> pool)
    {
        var waiting = pool.AcquireAsync(TimeSpan.FromSeconds(1)).AsTask();
        _clock.Advance(TimeSpan.FromSeconds(1));
        await Assert.ThrowsAsync<PoolExhaustedException>(() => waiting);
    }
}
