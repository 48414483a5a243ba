using Qdrant.Client;

namespace Pool.Demo.Load;

/// <summary>
/// Where a worker's explicit leases come from and go back to. The real one is the pool; the soak's
/// tests put a deliberately broken one in its place to prove the checks catch what it breaks.
/// </summary>
internal interface ILeaseBroker
{
    /// <summary>Leases a client, within <paramref name="timeout"/> if given (else the pool's AcquireTimeout).</summary>
    ValueTask<PooledConnection<QdrantClient>> AcquireAsync(TimeSpan? timeout, CancellationToken cancellationToken);

    /// <summary>Gives the lease back (it is destroyed if it was invalidated).</summary>
    ValueTask ReturnAsync(PooledConnection<QdrantClient> lease);
}

/// <summary>Leases straight from the pool.</summary>
internal sealed class PoolLeaseBroker(ConnectionPool<QdrantClient> pool) : ILeaseBroker
{
    public ValueTask<PooledConnection<QdrantClient>> AcquireAsync(TimeSpan? timeout, CancellationToken cancellationToken) =>
        timeout is { } t ? pool.AcquireAsync(t, cancellationToken) : pool.AcquireAsync(cancellationToken);

    public ValueTask ReturnAsync(PooledConnection<QdrantClient> lease) => lease.DisposeAsync();
}
