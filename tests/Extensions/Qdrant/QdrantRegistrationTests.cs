namespace Pool.Tests.Extensions.Qdrant;

/// <summary>
/// <c>AddQdrantClientPool</c>: registration, the container's services, settings bound from configuration
/// (the pool's, and those Qdrant.Client users set: headers, the logger factory), and start-up validation
/// (no server needed).
/// </summary>
public sealed class QdrantRegistrationTests
{
    [Fact]
    public async Task AddQdrantClientPool_RegistersTheDefaultNameKeyedAndUnkeyed_AndAnotherNameKeyedOnly()
    {
        await using var provider = QdrantRegistrations.DefaultAndVectors((s, o) => s.AddQdrantClientPool(o), (s, name, o) => s.AddQdrantClientPool(name, o));

        var main = provider.GetRequiredKeyedService<QdrantClientPool>("qdrant");
        var vectors = provider.GetRequiredKeyedService<QdrantClientPool>("vectors");

        Assert.Same(main, provider.GetRequiredService<QdrantClientPool>());
        Assert.NotSame(main, vectors);
        Assert.Equal(("qdrant", "vectors"), (main.Pool.Name, vectors.Pool.Name));
        Assert.Equal(QdrantServiceCollectionExtensions.DefaultName, main.Pool.Name);
        Assert.Equal((0L, 0L), (main.GetStatistics().Created, vectors.GetStatistics().Created));
    }

    [Fact]
    public async Task PoolSettingsLeftAtTheirDefaults_TakeTheContainersServicesAndTheName_EvenInAReplacedPoolObject()
    {
        var clock = new FakeTimeProvider();
        var services = Containers.OnClock(clock);
        services.AddQdrantClientPool("kept", o => o.Pool.MaxSize = 3);
        services.AddQdrantClientPool("replaced", o => o.Pool = new ConnectionPoolOptions { MaxSize = 2 });
        await using var provider = services.BuildServiceProvider();
        var monitor = provider.GetRequiredService<IOptionsMonitor<QdrantPoolOptions>>();

        var kept = monitor.Get("kept").Pool;
        var replaced = monitor.Get("replaced").Pool;

        Assert.Equal(("kept", 3, QdrantPoolOptions.DefaultBackoffMax), (kept.Name, kept.MaxSize, kept.BackoffMax));
        Assert.Equal(("replaced", 2, TimeSpan.FromSeconds(10)), (replaced.Name, replaced.MaxSize, replaced.BackoffMax));
        Assert.All([kept, replaced], pool =>
        {
            Assert.Same(clock, pool.TimeProvider);
            Assert.Same(provider.GetRequiredService<ILoggerFactory>(), pool.LoggerFactory);
        });
    }

    [Fact]
    public async Task BindConfiguration_ReadsTheAddressKeyTimeoutsAndNestedPoolSettings()
    {
        var services = Containers.Configured(new()
        {
            ["Qdrant:Address"] = "https://qdrant.internal:6334",
            ["Qdrant:ApiKey"] = "k3y",
            ["Qdrant:GrpcTimeout"] = "00:00:12",
            ["Qdrant:KeepAlivePingDelay"] = "-00:00:00.001",
            ["Qdrant:EvictOnDeadlineExceeded"] = "true",
            ["Qdrant:Pool:MaxSize"] = "16",
            ["Qdrant:Pool:AcquireTimeout"] = "00:00:03",
        });
        services.AddQdrantClientPool().BindConfiguration("Qdrant");
        await using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptionsMonitor<QdrantPoolOptions>>().Get("qdrant");

        Assert.Equal(new Uri("https://qdrant.internal:6334"), options.Address);
        Assert.Equal("k3y", options.ApiKey);
        Assert.Equal(TimeSpan.FromSeconds(12), options.GrpcTimeout);
        Assert.Equal(Timeout.InfiniteTimeSpan, options.KeepAlivePingDelay);
        Assert.True(options.EvictOnDeadlineExceeded);
        Assert.Equal((16, TimeSpan.FromSeconds(3)), (options.Pool.MaxSize, options.Pool.AcquireTimeout));
        Assert.Equal(("qdrant", QdrantPoolOptions.DefaultBackoffMax), (options.Pool.Name, options.Pool.BackoffMax)); // the binding's defaults stay
    }

    [Fact]
    public async Task HeadersBindFromConfiguration_AndTheLoggerFactoryDefaultsToTheContainers()
    {
        var services = Containers.Configured(new()
        {
            ["Qdrant:Headers:x-tenant"] = "blue",
            ["Qdrant:MaxReceiveMessageSize"] = "16777216",
            ["Qdrant:RequestCompression"] = "gzip",
        });
        services.AddLogging();
        services.AddQdrantClientPool().BindConfiguration("Qdrant");
        await using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptionsMonitor<QdrantPoolOptions>>().Get("qdrant");

        Assert.Equal("blue", options.Headers["X-Tenant"]);
        Assert.Equal((16_777_216, "gzip"), (options.MaxReceiveMessageSize, options.RequestCompression));
        Assert.Same(provider.GetRequiredService<ILoggerFactory>(), options.LoggerFactory);
    }

    [Fact]
    public async Task BadConfiguration_FailsHostStart_ListingEveryProblemOfTheBindingAndThePool_WithoutTheApiKey()
    {
        const string Key = "TOP-SECRET-api-key ";
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Qdrant:Address"] = "ftp://qdrant.internal/path",
            ["Qdrant:ApiKey"] = Key,
            ["Qdrant:GrpcTimeout"] = "00:00:00",
            ["Qdrant:Pool:MaxSize"] = "0",
            ["Qdrant:Pool:MinSize"] = "0", // the binding's 3 would be a second problem
        });
        builder.Services.AddQdrantClientPool().BindConfiguration("Qdrant");
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        const string Source = "Qdrant client pool 'qdrant' (configuration section 'Qdrant'): ";
        const string Rule = "it must be an absolute http or https URI with a host and no path, query or user info, such as http://localhost:6334.";
        Assert.Equal(("qdrant", typeof(QdrantPoolOptions)), (error.OptionsName, error.OptionsType));
        Assert.Equal(
            [
                Source + "Address has the scheme \"ftp\"; " + Rule,
                Source + "Address \"ftp://qdrant.internal/path\" has a path, query or fragment; " + Rule,
                Source + "ApiKey (length 19, value not shown) is not a valid header value; it must be null or non-empty printable ASCII without leading or trailing spaces.",
                Source + "GrpcTimeout is 00:00:00; it must be greater than zero and at most 49.17:02:47.2940000 (there is no infinite setting).",
                Source + "Pool.MaxSize is 0; it must be at least 1.",
            ],
            error.Failures);
        Assert.DoesNotContain("TOP-SECRET", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddQdrantClientPool_TwiceWithOneName_Throws()
    {
        var services = new ServiceCollection();
        services.AddQdrantClientPool();

        var error = Assert.Throws<InvalidOperationException>(() => services.AddQdrantClientPool("qdrant"));

        Assert.Equal(
            "A Qdrant client pool named 'qdrant' is already registered. Give each pool its own name: it is the pool's service key and the name of its QdrantPoolOptions.",
            error.Message);
    }
}
