using Pool.Benchmarks.Peers;

namespace Pool.Benchmarks.Adapters;

/// <summary>The port of the original Python pool under test.</summary>
internal sealed class PythonPortAdapter(BenchFactory factory, int maxSize) : IBenchPool
{
    private readonly PythonPortPool<BenchConnection> _pool = new(factory.CreateAsync, maxSize);

    public string Name => "Python port";

    public BenchFactory Factory => factory;

    public ValueTask<Lease> AcquireAsync(CancellationToken cancellationToken) => LeaseTasks.From(_pool.AcquireAsync(cancellationToken));

    public void Release(in Lease lease) => _pool.Release(lease.Connection!);

    public ValueTask DisposeAsync() => default;
}
