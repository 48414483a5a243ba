namespace Pool.Benchmarks;

/// <summary>What every pool in the benchmarks hands out: an object standing in for an open connection.</summary>
public sealed class BenchConnection
{
    internal BenchConnection(int id) => Id = id;

    /// <summary>The create's sequence number, 1-based.</summary>
    public int Id { get; }
}
