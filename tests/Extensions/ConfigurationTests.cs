namespace Pool.Tests.Extensions;

/// <summary>Options bound from configuration, and bad settings failing when the host starts.</summary>
public sealed class ConfigurationTests
{
    [Fact]
    public async Task BindConfiguration_ReadsIntsDurationsInfiniteNullableAndDoubleSettings()
    {
        var factory = new FakeFactory();
        var services = Containers.Configured(new()
        {
            ["Pools:Orders:MaxSize"] = "7",
            ["Pools:Orders:MinSize"] = "2",
            ["Pools:Orders:AcquireTimeout"] = "00:00:02.5",
            ["Pools:Orders:IdleTimeout"] = "-00:00:00.001",
            ["Pools:Orders:LeakDetectionThreshold"] = "00:01:00",
            ["Pools:Orders:LifetimeJitter"] = "0.1",
            ["Pools:Orders:FailFastAfter"] = "0",
            ["Pools:Orders:Name"] = "orders-db",
        });
        services.AddConnectionPool<TestConnection>("orders", _ => factory).BindConfiguration("Pools:Orders");
        await using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptionsMonitor<ConnectionPoolOptions>>().Get("orders");

        Assert.Equal((7, 2, 0), (options.MaxSize, options.MinSize, options.FailFastAfter));
        Assert.Equal(TimeSpan.FromMilliseconds(2500), options.AcquireTimeout);
        Assert.Equal(Timeout.InfiniteTimeSpan, options.IdleTimeout);
        Assert.Equal(TimeSpan.FromMinutes(1), options.LeakDetectionThreshold);
        Assert.Equal(0.1, options.LifetimeJitter);
        Assert.Equal("orders-db", options.Name);
        Assert.Equal(new ConnectionPoolOptions().CreateTimeout, options.CreateTimeout); // not in the section: default

        var pool = provider.GetRequiredKeyedService<ConnectionPool<TestConnection>>("orders");
        await pool.WarmUpAsync();
        Assert.Equal((7, "orders-db", 2, 2), (pool.MaxSize, pool.Name, pool.GetStatistics().Idle, factory.Live));
    }

    [Fact]
    public async Task Settings_ApplyInRegistrationOrder_ConfigurationOverTheDelegate_LaterConfigureOverBoth()
    {
        var services = Containers.Configured(new()
        {
            ["Pools:Orders:MaxSize"] = "7",
            ["Pools:Orders:MinSize"] = "3",
        });
        services.AddConnectionPool<TestConnection>("orders", _ => new FakeFactory(), o => (o.MaxSize, o.MinSize, o.FailFastAfter) = (4, 1, 5))
            .BindConfiguration("Pools:Orders")
            .Configure(o => o.MinSize = 0);
        await using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptionsMonitor<ConnectionPoolOptions>>().Get("orders");

        Assert.Equal((7, 0, 5), (options.MaxSize, options.MinSize, options.FailFastAfter));
    }

    [Fact]
    public async Task BadConfiguration_FailsHostStart_WithOneOptionsValidationExceptionListingEveryProblemAndTheSection()
    {
        var factory = new FakeFactory();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Pools:Orders:MaxSize"] = "0",
            ["Pools:Orders:MinSize"] = "5",
            ["Pools:Orders:AcquireTimeout"] = "00:00:00",
            ["Pools:Orders:BackoffInitial"] = "00:00:02",
            ["Pools:Orders:BackoffMax"] = "00:00:01",
        });
        builder.Services.AddConnectionPool<TestConnection>("orders", _ => factory).BindConfiguration("Pools:Orders");
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Equal("orders", error.OptionsName);
        Assert.Equal(typeof(ConnectionPoolOptions), error.OptionsType);
        const string Source = "Connection pool 'orders' (configuration section 'Pools:Orders'): ";
        Assert.Equal(
            [
                Source + "MaxSize is 0; it must be at least 1.",
                Source + "MinSize is 5; it must be between 0 and MaxSize (0).",
                Source + "AcquireTimeout is 00:00:00; it must be greater than zero and at most 49.17:02:47.2940000, or Timeout.InfiniteTimeSpan.",
                Source + "BackoffMax is 00:00:01; it must be at least BackoffInitial (00:00:02).",
            ],
            error.Failures);
        Assert.Equal(string.Join("; ", error.Failures), error.Message);
        Assert.Equal(0, factory.CreateCalls);
    }

    [Fact]
    public async Task TwoBadPools_FailHostStart_WithAnAggregateOfOneOptionsValidationExceptionEach()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddConnectionPool<TestConnection>("orders", _ => new FakeFactory(), o => o.MaxSize = 0);
        builder.Services.AddConnectionPool<TestConnection>("users", _ => new FakeFactory(), o => o.FailFastAfter = -1);
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<AggregateException>(() => host.StartAsync());

        var failures = error.InnerExceptions.Cast<OptionsValidationException>()
            .OrderBy(e => e.OptionsName, StringComparer.Ordinal)
            .Select(e => (e.OptionsName, e.Message))
            .ToArray();
        Assert.Equal(
            [
                ("orders", "Connection pool 'orders': MaxSize is 0; it must be at least 1."),
                ("users", "Connection pool 'users': FailFastAfter is -1; it must be 0 (never fail fast) or more."),
            ],
            failures);
    }

    [Fact]
    public async Task GoodConfiguration_StartsTheHost_WithoutBuildingThePoolUntilItIsUsed()
    {
        var factory = new FakeFactory();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Pools:Orders:MinSize"] = "1" });
        builder.Services.AddConnectionPool<TestConnection>("orders", _ => factory).BindConfiguration("Pools:Orders");
        using var host = builder.Build();

        await host.StartAsync();
        Assert.Equal(0, factory.CreateCalls);
        var pool = host.Services.GetRequiredService<ConnectionPool<TestConnection>>();
        await pool.WarmUpAsync();
        Assert.Equal((1, 1), (factory.CreateCalls, pool.GetStatistics().Idle));
        await host.StopAsync();
    }

    [Fact]
    public async Task AMisspeltSetting_FailsHostStart_NamingTheKey()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Pools:Orders:MaxSzie"] = "3" });
        builder.Services.AddConnectionPool<TestConnection>("orders", _ => new FakeFactory()).BindConfiguration("Pools:Orders");
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.Equal(
            "'ErrorOnUnknownConfiguration' was set on the provided BinderOptions, but the following properties were not found on the instance of Pool.ConnectionPoolOptions: 'MaxSzie'",
            error.Message);
    }

    [Fact]
    public async Task AMisspeltSetting_IsIgnored_WhenTheBinderIsToldTo()
    {
        var services = Containers.Configured(new() { ["Pools:Orders:MaxSzie"] = "3", ["Pools:Orders:MaxSize"] = "4" });
        services.AddConnectionPool<TestConnection>("orders", _ => new FakeFactory())
            .BindConfiguration("Pools:Orders", binder => binder.ErrorOnUnknownConfiguration = false);
        await using var provider = services.BuildServiceProvider();

        Assert.Equal(4, provider.GetRequiredService<IOptionsMonitor<ConnectionPoolOptions>>().Get("orders").MaxSize);
    }

    [Fact]
    public async Task TheStartupValidator_ChecksCodeConfiguredOptions_AsTheHostDoes()
    {
        var services = new ServiceCollection();
        services.AddConnectionPool<TestConnection>("orders", _ => new FakeFactory(), o => o.LifetimeJitter = 0.75);
        await using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal("Connection pool 'orders': LifetimeJitter is 0.75; it must be between 0 and 0.5.", error.Message);
    }

    [Fact]
    public async Task ResolvingAPoolWithBadOptions_ThrowsTheValidationException_AndNeverCallsTheFactory()
    {
        bool factoryMade = false;
        var services = new ServiceCollection();
        services.AddConnectionPool<TestConnection>(
            "orders",
            _ =>
            {
                factoryMade = true;
                return new FakeFactory();
            },
            o => o.ValidationTimeout = Timeout.InfiniteTimeSpan);
        await using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<ConnectionPool<TestConnection>>());

        Assert.Equal("Connection pool 'orders': ValidationTimeout is -00:00:00.0010000; it must be greater than zero and at most 49.17:02:47.2940000.", error.Message);
        Assert.False(factoryMade);
    }
}
