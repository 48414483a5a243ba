namespace Pool.Tests.Systematic.Harness;

/// <summary>
/// What a scenario drives: the real <see cref="ConnectionPool{TConnection}"/> (through <see cref="RealPool"/>)
/// or a deliberately broken canary. Scenarios are written only against this, so the same scenario
/// that must pass on the pool must fail on each canary.
/// </summary>
internal interface IPoolUnderTest : IAsyncDisposable
{
    /// <summary>Leases a connection; <paramref name="timeout"/> null waits without a timeout.</summary>
    /// <exception cref="PoolExhaustedException">Timed out.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The pool is disposed.</exception>
    /// <exception cref="ConnectionCreateException">The create this acquire was first in line for failed.</exception>
    Task<ILeaseHandle> AcquireAsync(TimeSpan? timeout, CancellationToken cancellationToken);

    /// <summary>Leases an idle connection if one is ready now; never waits, never creates.</summary>
    /// <exception cref="ObjectDisposedException">The pool is disposed.</exception>
    bool TryAcquire([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ILeaseHandle? lease);

    /// <summary>A consistent snapshot (taken under the pool's lock).</summary>
    PoolStatistics GetStatistics();

    // DisposeAsync (from IAsyncDisposable) completes when the pool has drained: no create, destroy
    // or hand-off of it is still in flight, so the statistics and the factory can be compared.
}

/// <summary>One lease, as the pool under test hands it out.</summary>
internal interface ILeaseHandle
{
    TestConnection Connection { get; }

    /// <summary>Returns the connection. A second call (from any task) must do nothing.</summary>
    void Return();

    /// <summary>Marks the connection broken, so the return destroys it.</summary>
    void Invalidate();
}

/// <summary>Adapts <see cref="ConnectionPool{TConnection}"/> to <see cref="IPoolUnderTest"/>.</summary>
internal sealed class RealPool(ConnectionPool<TestConnection> pool) : IPoolUnderTest
{
    public static RealPool Create(PoolSpec spec, ScriptedFactory factory, TimeProvider time) =>
        new(new ConnectionPool<TestConnection>(factory, new ConnectionPoolOptions
        {
            MaxSize = spec.MaxSize,
            MinSize = spec.MinSize,
            AcquireTimeout = Timeout.InfiniteTimeSpan, // Scenarios pass a timeout per acquire.
            DisposeTimeout = Timeout.InfiniteTimeSpan, // DisposeAsync completes only when drained.
            TimeProvider = time,
            Name = "systematic",
        }));

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

/// <summary>
/// The pool settings a scenario asks for. Lifecycle features (idle timeout, lifetime, maintenance,
/// resize) add their settings here, and <see cref="RealPool.Create"/> maps them.
/// </summary>
internal sealed record PoolSpec(int MaxSize)
{
    public int MinSize { get; init; }
}
