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
