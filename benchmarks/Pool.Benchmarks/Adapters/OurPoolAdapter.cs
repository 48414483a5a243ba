namespace Pool.Benchmarks.Adapters;

/// <summary>Our <see cref="ConnectionPool{TConnection}"/> under test, on the real clock.</summary>
internal sealed class OurPoolAdapter : IBenchPool
{
    public OurPoolAdapter(string name, BenchFactory factory, ConnectionPoolOptions options)
    {
        Name = name;
        Factory = factory;
        Pool = new ConnectionPool<BenchConnection>(factory, options);
    }

    public string Name { get; }

    public BenchFactory Factory { get; }

    public ConnectionPool<BenchConnection> Pool { get; }

    public ValueTask<Lease> AcquireAsync(CancellationToken cancellationToken) => LeaseTasks.From(Pool.AcquireAsync(cancellationToken));

    public void Release(in Lease lease) => lease.Ours.Dispose();

    public ValueTask DisposeAsync() => Pool.DisposeAsync();
}
