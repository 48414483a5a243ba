namespace Pool.Tests.Systematic.Harness;

/// <summary>Adapts <see cref="ConnectionPool{TConnection}"/> to <see cref="IPoolUnderTest"/>.</summary>
internal sealed class RealPool(ConnectionPool<TestConnection> pool) : IPoolUnderTest
{
    /// <summary>The pool itself, for the lifecycle operations scenarios drive directly (Clear, SetMaxSize, RunMaintenance, WarmUpAsync).</summary>
    public ConnectionPool<TestConnection> Inner => pool;

    public static RealPool Create(PoolSpec spec, IConnectionFactory<TestConnection> factory, TimeProvider time, Random random) =>
        new(new ConnectionPool<TestConnection>(factory, spec.ToOptions(time, random)));

    public async Task<ILeaseHandle> AcquireAsync(TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var lease = await pool.AcquireAsync(timeout ?? Timeout.InfiniteTimeSpan, cancellationToken);
        return new Handle(lease);
    }

    public bool TryAcquire([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ILeaseHandle? lease)
    {
        lease = pool.TryAcquire(out var pooled) ? new Handle(pooled) : null;
        return lease is not null;
    }

    public PoolStatistics GetStatistics() => pool.GetStatistics();

    public ValueTask DisposeAsync() => pool.DisposeAsync();

    private sealed class Handle(PooledConnection<TestConnection> lease) : ILeaseHandle
    {
        // Read while the lease is active: the connection property refuses once it was returned.
        public TestConnection Connection { get; } = lease.Connection;

        public void Return() => lease.Dispose();

        public void Invalidate() => lease.Invalidate();
    }
}
