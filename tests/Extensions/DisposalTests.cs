namespace Pool.Tests.Extensions;

/// <summary>The container owns the pool: disposing it drains the pool, then disposes the factory.</summary>
public sealed class DisposalTests
{
    [Fact]
    public async Task DisposeAsync_OfTheContainer_DisposesThePool_DestroyingEachConnectionExactlyOnce()
    {
        var factory = new FakeFactory();
        var services = new ServiceCollection();
        services.AddConnectionPool<TestConnection>("orders", _ => factory, o => Settings.Quiet(o, maxSize: 3));
        var provider = services.BuildServiceProvider();

        // Resolved keyed and unkeyed: the container tracks both registrations, so it disposes the pool twice.
        var pool = provider.GetRequiredKeyedService<ConnectionPool<TestConnection>>("orders");
        Assert.Same(pool, provider.GetRequiredService<ConnectionPool<TestConnection>>());
        var first = await pool.AcquireAsync();
        var second = await pool.AcquireAsync();
        await first.DisposeAsync();
        await second.DisposeAsync();
        var connections = factory.LiveConnections;

        await provider.DisposeAsync();

        var stats = pool.GetStatistics();
        Assert.True(stats.IsDisposed);
        Assert.Equal((2L, 2L, 2L, 0), (stats.Created, stats.Destroyed, stats.DestroyedDisposed, stats.Total));
        Assert.Equal(2, factory.DestroyCalls);
        Assert.Equal([1, 1], connections.Select(c => c.DestroyCount));
        var error = await Assert.ThrowsAsync<ObjectDisposedException>(() => pool.AcquireAsync().AsTask());
        Assert.Equal("The connection pool 'orders' has been disposed.", error.Message.Split(Environment.NewLine)[0]);
    }

    [Fact]
    public async Task DisposeAsync_OfTheContainer_DisposesTheFactoryAfterThePoolHasDestroyedItsConnections()
    {
        var (provider, pool, factory) = await PoolWithOneIdleConnectionAsync();

        await provider.DisposeAsync();

        Assert.Equal(1, factory.Disposals);
        Assert.Equal((0, 1), factory.LiveAndDestroyedAtDispose);
    }

    [Fact]
    public async Task Dispose_OfTheContainer_Synchronously_DisposesThePoolAndThenTheFactory()
    {
        // ServiceProvider.Dispose() throws for an IAsyncDisposable-only singleton; the pool is also IDisposable.
        var (provider, pool, factory) = await PoolWithOneIdleConnectionAsync();

        provider.Dispose();

        var stats = pool.GetStatistics();
        Assert.Equal((true, 0, 1L), (stats.IsDisposed, stats.Total, stats.DestroyedDisposed));
        Assert.Equal(1, factory.Disposals);
        Assert.Equal((0, 1), factory.LiveAndDestroyedAtDispose);
    }

    /// <summary>A container-built pool over a <see cref="DisposableFactory"/>, with one connection created and returned.</summary>
    private static async Task<(ServiceProvider Provider, ConnectionPool<TestConnection> Pool, DisposableFactory Factory)> PoolWithOneIdleConnectionAsync()
    {
        var services = new ServiceCollection();
        services.AddSingleton(new FakeFactory());
        services.AddConnectionPool<TestConnection, DisposableFactory>("orders", o => Settings.Quiet(o));
        var provider = services.BuildServiceProvider();
        var pool = provider.GetRequiredService<ConnectionPool<TestConnection>>();
        await (await pool.AcquireAsync()).DisposeAsync();
        return (provider, pool, Assert.IsType<DisposableFactory>(provider.GetRequiredKeyedService<IConnectionFactory<TestConnection>>("orders")));
    }

    public sealed class DisposableFactory(FakeFactory inner) : IConnectionFactory<TestConnection>, IDisposable
    {
        public int Disposals { get; private set; }

        public (int Live, int Destroyed) LiveAndDestroyedAtDispose { get; private set; }

        public ValueTask<TestConnection> CreateAsync(CancellationToken cancellationToken) => inner.CreateAsync(cancellationToken);

        public ValueTask<bool> ValidateAsync(TestConnection connection, CancellationToken cancellationToken) => inner.ValidateAsync(connection, cancellationToken);

        public ValueTask DestroyAsync(TestConnection connection) => inner.DestroyAsync(connection);

        public void Dispose()
        {
            Disposals++;
            LiveAndDestroyedAtDispose = (inner.Live, inner.DestroyCalls);
        }
    }
}
