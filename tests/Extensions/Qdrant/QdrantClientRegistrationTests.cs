using Qdrant.Client;

namespace Pool.Tests.Extensions.Qdrant;

/// <summary>
/// <c>AddQdrantClient</c>: the drop-in <see cref="QdrantClient"/> and <see cref="IQdrantClient"/> from the
/// container, over the pool, with options validated at start and the health check's active probe.
/// </summary>
public sealed class QdrantClientRegistrationTests
{
    private const string HealthCheck = "qdrant.Qdrant/HealthCheck";

    [Fact]
    public async Task AddQdrantClient_RegistersTheClientAndItsInterface_KeyedAndUnkeyed_AsThePoolsDropInClient()
    {
        await using var provider = QdrantRegistrations.DefaultAndVectors((s, o) => s.AddQdrantClient(o), (s, name, o) => s.AddQdrantClient(name, o));

        var main = provider.GetRequiredKeyedService<QdrantClientPool>("qdrant");
        var vectors = provider.GetRequiredKeyedService<QdrantClientPool>("vectors");
        Assert.Same(main.Client, provider.GetRequiredService<QdrantClient>());
        Assert.Same(main.Client, provider.GetRequiredService<IQdrantClient>());
        Assert.Same(main.Client, provider.GetRequiredKeyedService<QdrantClient>("qdrant"));
        Assert.Same(main.Client, provider.GetRequiredKeyedService<IQdrantClient>("qdrant"));
        Assert.Same(vectors.Client, provider.GetRequiredKeyedService<QdrantClient>("vectors"));
        Assert.Same(vectors.Client, provider.GetRequiredKeyedService<IQdrantClient>("vectors"));
        Assert.NotSame(main.Client, vectors.Client);
        Assert.Same(main, provider.GetRequiredService<QdrantClientPool>());
    }

    [Fact]
    public void AddQdrantClient_TwiceWithOneName_Throws()
    {
        var services = new ServiceCollection();
        services.AddQdrantClient();
        var error = Assert.Throws<InvalidOperationException>(() => services.AddQdrantClient());
        Assert.StartsWith("A Qdrant client pool named 'qdrant' is already registered.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadSettingsFromConfiguration_StopTheHostAtStart_NamingTheSetting()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Qdrant:Pool:MaxLeasesPerConnection"] = "0" });
        builder.Services.AddQdrantClient().BindConfiguration("Qdrant");
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("Qdrant client pool 'qdrant' (configuration section 'Qdrant'): Pool.MaxLeasesPerConnection is 0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheClientFromTheHost_ServesPlainCalls_AndFailsWithObjectDisposedExceptionOnceTheHostIsDisposed()
    {
        await using var standIn = await QdrantStandIn.StartAsync();
        using var host = BuildHost(standIn.Address, qdrant => qdrant.AddHealthCheck());
        await host.StartAsync();
        var client = host.Services.GetRequiredService<IQdrantClient>();

        await client.CreateCollectionAsync("docs", new global::Qdrant.Client.Grpc.VectorParams { Size = 2, Distance = global::Qdrant.Client.Grpc.Distance.Dot });
        Assert.Equal(["docs"], await client.ListCollectionsAsync());
        var pool = host.Services.GetRequiredService<QdrantClientPool>();
        Assert.Equal(0, pool.GetStatistics().Leases);

        await host.StopAsync();
        host.Dispose();
        Assert.True(pool.GetStatistics().IsDisposed);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.ListCollectionsAsync());
    }

    [Fact]
    public async Task TheActiveProbe_ReportsUnhealthyBeforeAnyTraffic_WhenQdrantCannotBeReached()
    {
        await using var standIn = await QdrantStandIn.StartAsync();
        var address = standIn.Address;
        await standIn.StopAsync();
        using var host = BuildHost(address, qdrant => qdrant.AddHealthCheck(probeInterval: TimeSpan.FromMinutes(1), probeTimeout: TimeSpan.FromSeconds(1)));
        await host.StartAsync();

        var entry = (await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries["qdrant"];

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.StartsWith("Qdrant did not answer a health check within 00:00:01: Unavailable: ", entry.Description, StringComparison.Ordinal);
        Assert.Equal(false, entry.Data["QdrantAnswered"]);
        Assert.Equal(0L, host.Services.GetRequiredService<QdrantClientPool>().GetStatistics().Acquired);
    }

    [Fact]
    public async Task TheActiveProbe_ReportsHealthyWhenQdrantAnswers_AndReusesItsAnswerWithinTheInterval()
    {
        await using var standIn = await QdrantStandIn.StartAsync();
        using var host = BuildHost(standIn.Address, qdrant => qdrant.AddHealthCheck(probeInterval: TimeSpan.FromMinutes(1)));
        await host.StartAsync();
        var health = host.Services.GetRequiredService<HealthCheckService>();

        var first = (await health.CheckHealthAsync()).Entries["qdrant"];
        var pool = host.Services.GetRequiredService<QdrantClientPool>();
        await pool.Pool.WarmUpAsync(); // the channels MinSize keeps open send their own health checks: let them finish
        long probes = standIn.CallCount(HealthCheck);
        var second = (await health.CheckHealthAsync()).Entries["qdrant"];

        Assert.Equal(HealthStatus.Healthy, first.Status);
        Assert.Equal(true, first.Data["QdrantAnswered"]);
        Assert.Equal(HealthStatus.Healthy, second.Status);
        Assert.Equal(true, second.Data["QdrantAnswered"]);
        Assert.Equal(probes, standIn.CallCount(HealthCheck));
        Assert.Equal(1L, pool.GetStatistics().Acquired); // one probe, through the drop-in client
    }

    [Theory]
    [InlineData(0, 1, "probeInterval")]
    [InlineData(1, 0, "probeTimeout")]
    [InlineData(-1, 1, "probeInterval")]
    public void ProbeSettingsOutOfRange_Throw_NamingTheParameter(int intervalSeconds, int timeoutSeconds, string parameter)
    {
        var builder = new ServiceCollection().AddQdrantClient();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => builder.AddHealthCheck(
            probeInterval: TimeSpan.FromSeconds(intervalSeconds), probeTimeout: TimeSpan.FromSeconds(timeoutSeconds)));
        Assert.Equal(parameter, error.ParamName);
    }

    private static IHost BuildHost(Uri address, Action<IQdrantClientPoolBuilder> configure)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Qdrant:Address"] = address.ToString(),
            ["Qdrant:ConnectTimeout"] = "00:00:02",
            ["Qdrant:HealthCheckTimeout"] = "00:00:02",
            ["Qdrant:Pool:DisposeTimeout"] = "00:00:05",
        });
        configure(builder.Services.AddQdrantClient().BindConfiguration("Qdrant"));
        return builder.Build();
    }
}
