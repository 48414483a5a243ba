using Pool.Benchmarks.Peers;

namespace Pool.Benchmarks.Adapters;

/// <summary>The hand-rolled SemaphoreSlim-bounded, round-robin sharing of a fixed set of connections.</summary>
internal sealed class SharedSemaphoreAdapter : IBenchPool
{
    private readonly SharedSemaphorePool<BenchConnection> _pool;

    public SharedSemaphoreAdapter(BenchFactory factory, int connections, int callsPerConnection)
    {
        Factory = factory;
        var opened = new BenchConnection[connections];
        for (int i = 0; i < connections; i++)
        {
            opened[i] = factory.CreateNow();
        }

        _pool = new SharedSemaphorePool<BenchConnection>(opened, callsPerConnection);
    }

    public string Name => "SemaphoreSlim shared";

    public BenchFactory Factory { get; }

    public ValueTask<Lease> AcquireAsync(CancellationToken cancellationToken) => LeaseTasks.From(_pool.AcquireAsync(cancellationToken));

    public void Release(in Lease lease) => _pool.Return(lease.Connection!);

    public ValueTask DisposeAsync()
    {
        _pool.Dispose();
        return default;
    }
}
