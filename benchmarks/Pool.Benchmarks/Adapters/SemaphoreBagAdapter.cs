using Pool.Benchmarks.Peers;

namespace Pool.Benchmarks.Adapters;

/// <summary>The hand-rolled SemaphoreSlim + ConcurrentBag pool under test.</summary>
internal sealed class SemaphoreBagAdapter(BenchFactory factory, int maxSize) : IBenchPool
{
    private readonly SemaphoreBagPool<BenchConnection> _pool = new(factory.CreateAsync, maxSize);

    public string Name => "SemaphoreSlim+Bag";

    public BenchFactory Factory => factory;

    public ValueTask<Lease> AcquireAsync(CancellationToken cancellationToken) => LeaseTasks.From(_pool.AcquireAsync(cancellationToken));

    public void Release(in Lease lease) => _pool.Return(lease.Connection!);

    public ValueTask DisposeAsync()
    {
        _pool.Dispose();
        return default;
    }
}
