namespace Pool.Tests.Unit.SharedLeases;

/// <summary>Pools whose connections serve several leases at once (MaxLeasesPerConnection &gt; 1), on fake time.</summary>
internal static class SharedPools
{
    public static ConnectionPool<TestConnection> Create(
        FakeFactory factory, FakeTimeProvider time, int maxLeases, int maxSize = 4, Action<ConnectionPoolOptions>? configure = null) =>
        TestPools.Create(factory, time, maxSize, configure: o =>
        {
            o.MaxLeasesPerConnection = maxLeases;
            configure?.Invoke(o);
        });

    /// <summary>The snapshot, checked (every invariant, including the lease ones), as (InUse, Leases, BusiestConnectionLeases).</summary>
    public static (int InUse, int Leases, int Busiest) LeaseCounts(this ConnectionPool<TestConnection> pool)
    {
        var stats = pool.Checked();
        return (stats.InUse, stats.Leases, stats.BusiestConnectionLeases);
    }

    /// <summary>
    /// A waited acquire, bounded in real time: the pool completes it on a thread-pool thread, and a
    /// pool that never serves it fails the test instead of hanging it (AcquireTimeout runs on fake time).
    /// </summary>
    public static Task<PooledConnection<TestConnection>> Bounded(this Task<PooledConnection<TestConnection>> acquire) =>
        acquire.WaitAsync(Waits.DefaultPollTimeout);
}
