namespace Pool.Benchmarks.Adapters;

/// <summary>
/// One lease from any pool under test: ours hands out a <see cref="PooledConnection{TConnection}"/>
/// (a struct that knows its lease), the peers hand out the connection itself. A struct, so carrying
/// it through the adapter allocates nothing.
/// </summary>
internal readonly struct Lease
{
    public Lease(BenchConnection connection)
    {
        Connection = connection;
        Ours = default;
    }

    public Lease(PooledConnection<BenchConnection> ours)
    {
        Connection = null;
        Ours = ours;
    }

    /// <summary>The connection a peer handed out; null for ours.</summary>
    public BenchConnection? Connection { get; }

    /// <summary>Our pool's lease; default for the peers.</summary>
    public PooledConnection<BenchConnection> Ours { get; }
}
