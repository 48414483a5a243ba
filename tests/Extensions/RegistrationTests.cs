using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Pool.Tests.Extensions;

public sealed class RegistrationTests
{
    [Fact]
    public async Task AddConnectionPool_FirstPoolOfAType_IsKeyedAndUnkeyed_LaterOnesKeyedOnly_EachWithItsOwnFactory()
    {
        var first = new FakeFactory();
        var second = new FakeFactory();
        var services = new ServiceCollection();
        services.AddConnectionPool<TestConnection>("first", _ => first, o => Settings.Quiet(o));
        services.AddConnectionPool<TestConnection>("second", _ => second, o => Settings.Quiet(o));
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        var a = provider.GetRequiredKeyedService<ConnectionPool<TestConnection>>("first");
        var b = provider.GetRequiredKeyedService<ConnectionPool<TestConnection>>("second");

        Assert.Same(a, provider.GetRequiredService<ConnectionPool<TestConnection>>());
        Assert.Same(b, provider.GetRequiredKeyedService<ConnectionPool<TestConnection>>("second"));
        Assert.NotSame(a, b);
        Assert.Equal(("first", "second"), (a.Name, b.Name));
        Assert.Single(provider.GetServices<ConnectionPool<TestConnection>>());

        await (await b.AcquireAsync()).DisposeAsync();
        Assert.Equal((0, 1), (first.CreateCalls, second.CreateCalls));
    }

    [Fact]
    public async Task AddConnectionPool_WithAFactoryType_TheContainerBuildsItWithItsServicesAndThePoolNameAsServiceKey()
    {
        var inner = new FakeFactory();
        var services = new ServiceCollection();
        services.AddSingleton(inner);
        services.AddConnectionPool<TestConnection, KeyedFactory>("orders", o => Settings.Quiet(o));
        await using var provider = services.BuildServiceProvider();

        var pool = provider.GetRequiredKeyedService<ConnectionPool<TestConnection>>("orders");
        await using (var lease = await pool.AcquireAsync())
        {
            Assert.Equal(1, lease.Connection.Id);
        }

        var factory = Assert.IsType<KeyedFactory>(provider.GetRequiredKeyedService<IConnectionFactory<TestConnection>>("orders"));
        Assert.Equal("orders", factory.PoolName);
        Assert.Same(inner, factory.Inner);
        Assert.Equal(1, inner.CreateCalls);
    }

    [Fact]
    public async Task Options_LeftAtTheirDefaults_TakeTheContainersClockLoggerFactoryMeterFactoryAndThePoolName()
    {
        var clock = new FakeTimeProvider();
        var services = Containers.OnClock(clock);
        services.AddMetrics();
        services.AddConnectionPool<TestConnection>("orders", _ => new FakeFactory(), o => Settings.Quiet(o, maxSize: 1));
        await using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptionsMonitor<ConnectionPoolOptions>>().Get("orders");

        Assert.Equal("orders", options.Name);
        Assert.Same(clock, options.TimeProvider);
        Assert.Same(provider.GetRequiredService<ILoggerFactory>(), options.LoggerFactory);
        Assert.Same(provider.GetRequiredService<IMeterFactory>(), options.MeterFactory);

        // The pool runs on that clock (an acquire times out when the fake clock says so, not before)
        // and reports through the container's meter factory.
        using var timeouts = new MetricCollector<long>(provider.GetRequiredService<IMeterFactory>(), PoolDiagnostics.MeterName, "db.client.connection.timeouts");
        var pool = provider.GetRequiredService<ConnectionPool<TestConnection>>();
        await using var held = await pool.AcquireAsync();
        var waiting = pool.AcquireAsync(TimeSpan.FromSeconds(2)).AsTask();
        clock.Advance(TimeSpan.FromSeconds(2) - TimeSpan.FromTicks(1));
        Assert.False(waiting.IsCompleted);
        clock.Advance(TimeSpan.FromTicks(1));
        var error = await Assert.ThrowsAsync<PoolExhaustedException>(() => waiting);
        Assert.Equal(
            "Timed out after 00:00:02 waiting for a connection from pool 'orders' (MaxSize=1, AcquireTimeout=00:00:10; at the timeout "
            + "InUse=1, Creating=0, Waiters=1). Raise MaxSize or the timeout, or return connections sooner.",
            error.Message);
        var measurement = Assert.Single(timeouts.GetMeasurementSnapshot());
        Assert.Equal(1, measurement.Value);
        Assert.Equal("orders", measurement.Tags["db.client.connection.pool.name"]);
    }

    [Fact]
    public async Task Options_TheUserSet_AreKept_WhicheverOrderTheyWereConfiguredIn()
    {
        var clock = new FakeTimeProvider();
        var own = new FakeTimeProvider();
        var services = Containers.OnClock(clock);
        services.AddMetrics();

        // Configured before the pool is registered, and after: both win over the container's defaults.
        services.Configure<ConnectionPoolOptions>("orders", o => o.TimeProvider = own);
        services.AddConnectionPool<TestConnection>("orders", _ => new FakeFactory(), o => o.Name = "orders-db")
            .Configure(o => o.LoggerFactory = NullLoggerFactory.Instance);
        await using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptionsMonitor<ConnectionPoolOptions>>().Get("orders");

        Assert.Equal("orders-db", options.Name);
        Assert.Same(own, options.TimeProvider);
        Assert.Same(NullLoggerFactory.Instance, options.LoggerFactory);
        Assert.Same(provider.GetRequiredService<IMeterFactory>(), options.MeterFactory);
        Assert.Equal("orders-db", provider.GetRequiredKeyedService<ConnectionPool<TestConnection>>("orders").Name);
    }

    [Fact]
    public async Task Options_WithoutThoseServicesInTheContainer_KeepTheSystemClockAndNoLoggerOrMeterFactory()
    {
        var services = new ServiceCollection();
        services.AddConnectionPool<TestConnection>("orders", _ => new FakeFactory());
        await using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptionsMonitor<ConnectionPoolOptions>>().Get("orders");

        Assert.Equal("orders", options.Name);
        Assert.Same(TimeProvider.System, options.TimeProvider);
        Assert.Null(options.LoggerFactory);
        Assert.Null(options.MeterFactory);
    }

    [Fact]
    public async Task Configure_OnTheBuilder_RunsAfterTheRegistrationsDelegate_AndCanUseTheContainer()
    {
        var services = new ServiceCollection();
        services.AddSingleton(new Random(7));
        services.AddConnectionPool<TestConnection>("orders", _ => new FakeFactory(), o => (o.MaxSize, o.MinSize) = (4, 1))
            .Configure(o => o.MaxSize = 6)
            .Configure((o, provider) => o.Random = provider.GetRequiredService<Random>());
        await using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptionsMonitor<ConnectionPoolOptions>>().Get("orders");

        Assert.Equal((6, 1), (options.MaxSize, options.MinSize));
        Assert.Same(provider.GetRequiredService<Random>(), options.Random);
    }

    [Fact]
    public void AddConnectionPool_ASecondPoolWithTheSameName_ThrowsEvenForAnotherConnectionType()
    {
        var services = new ServiceCollection();
        services.AddConnectionPool<TestConnection>("orders", _ => new FakeFactory());
        int registrations = services.Count;

        var same = Assert.Throws<InvalidOperationException>(() => services.AddConnectionPool<TestConnection>("orders", _ => new FakeFactory()));
        var other = Assert.Throws<InvalidOperationException>(() => services.AddConnectionPool<string, StringFactory>("orders"));

        const string Expected = "A connection pool named 'orders' is already registered. Give each pool its own name: "
            + "it is the pool's service key and the name of its ConnectionPoolOptions.";
        Assert.Equal(Expected, same.Message);
        Assert.Equal(Expected, other.Message);
        Assert.Equal(registrations, services.Count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void AddConnectionPool_AnEmptyName_ThrowsArgumentExceptionNamingTheParameter(string name)
    {
        var services = new ServiceCollection();

        var error = Assert.Throws<ArgumentException>(() => services.AddConnectionPool<TestConnection>(name, _ => new FakeFactory()));

        Assert.Equal("name", error.ParamName);
        Assert.Empty(services);
    }

    [Fact]
    public void AddConnectionPool_ANullName_ThrowsArgumentNullException()
    {
        var services = new ServiceCollection();

        var error = Assert.Throws<ArgumentNullException>(() => services.AddConnectionPool<TestConnection>(null!, _ => new FakeFactory()));

        Assert.Equal("name", error.ParamName);
    }

    private sealed class StringFactory : IConnectionFactory<string>
    {
        public ValueTask<string> CreateAsync(CancellationToken cancellationToken) => new("connection");

        public ValueTask<bool> ValidateAsync(string connection, CancellationToken cancellationToken) => new(true);

        public ValueTask DestroyAsync(string connection) => default;
    }
}
