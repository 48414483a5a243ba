namespace Pool.Benchmarks.Adapters;

/// <summary>
/// The one shape every pool under test is driven through, so each benchmark runs the same workload
/// on each. Every adapter wraps its pool's own API the same way (a completed acquire passes through
/// without allocating; a pending one gets one small async wrapper), so the adapter costs every pool
/// the same.
/// </summary>
internal interface IBenchPool : IAsyncDisposable
{
    /// <summary>The row label in the results.</summary>
    string Name { get; }

    /// <summary>Counts the creates this pool asked for.</summary>
    BenchFactory Factory { get; }

    ValueTask<Lease> AcquireAsync(CancellationToken cancellationToken);

    void Release(in Lease lease);
}
