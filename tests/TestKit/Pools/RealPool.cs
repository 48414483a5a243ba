namespace Pool.Tests.Kit;

/// <summary>Adapts <see cref="ConnectionPool{TConnection}"/> to <see cref="IPoolUnderTest"/>.</summary>
public sealed class RealPool(ConnectionPool<TestConnection> pool) : IPoolUnderTest
{
    /// <summary>The pool itself, for the lifecycle operations only it has (Clear, SetMaxSize, SetMinSize, RunMaintenance, WarmUpAsync).</summary>
    public ConnectionPool<TestConnection> Inner => pool;

    public async Task<ILeaseHandle> AcquireAsync(TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var lease = timeout is { } t
            ? await pool.AcquireAsync(t, cancellationToken)
            : await pool.AcquireAsync(cancellationToken);
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
