using Microsoft.Extensions.ObjectPool;

namespace Pool.Benchmarks.Adapters;

/// <summary>
/// <c>Microsoft.Extensions.ObjectPool</c>'s <see cref="DefaultObjectPool{T}"/>: no bound on leases and
/// never waits (an empty pool creates), so it is the floor for the uncontended path and no peer where
/// a pool must bound or queue.
/// </summary>
internal sealed class ObjectPoolAdapter : IBenchPool
{
    private readonly DefaultObjectPool<BenchConnection> _pool;

    public ObjectPoolAdapter(BenchFactory factory, int maximumRetained)
    {
        Factory = factory;
        _pool = new DefaultObjectPool<BenchConnection>(new Policy(factory), maximumRetained);
    }

    public string Name => "ObjectPool";

    public BenchFactory Factory { get; }

    public ValueTask<Lease> AcquireAsync(CancellationToken cancellationToken) => new(new Lease(_pool.Get()));

    public void Release(in Lease lease) => _pool.Return(lease.Connection!);

    public ValueTask DisposeAsync() => default;

    private sealed class Policy(BenchFactory factory) : IPooledObjectPolicy<BenchConnection>
    {
        public BenchConnection Create() => factory.CreateNow();

        public bool Return(BenchConnection obj) => true;
    }
}
