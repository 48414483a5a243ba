namespace Pool.Tests.Kit;

/// <summary>
/// The one adapter every model-checking test drives: the real <see cref="ConnectionPool{TConnection}"/>
/// (through <see cref="RealPool"/>) or the deliberately broken <see cref="CanaryPool"/>. The Coyote
/// scenarios and the FsCheck model's lockstep driver are written only against this, so the same test
/// that must pass on the pool must fail on each canary.
/// </summary>
public interface IPoolUnderTest : IAsyncDisposable
{
    /// <summary>Leases a connection; <paramref name="timeout"/> null waits the pool's own AcquireTimeout.</summary>
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
public interface ILeaseHandle
{
    TestConnection Connection { get; }

    /// <summary>Returns the connection. A second call (from any task) must do nothing.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1716", Justification = "Test code in C# only; Return is what the scenarios call it.")]
    void Return();

    /// <summary>Marks the connection broken, so the return destroys it.</summary>
    void Invalidate();
}
