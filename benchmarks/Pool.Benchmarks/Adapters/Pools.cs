namespace Pool.Benchmarks.Adapters;

/// <summary>Builds the pools under test, with the settings RESULTS.md states.</summary>
internal static class Pools
{
    /// <summary>
    /// Our pool for benchmarks of the acquire path: real clock, no validation on borrow, no idle
    /// timeout, lifetime or maintenance pass, and no acquire timeout (the peers have none either).
    /// </summary>
    public static ConnectionPoolOptions AcquirePathOptions(int maxSize, bool acquireTimeout = false) => new()
    {
        MaxSize = maxSize,
        AcquireTimeout = acquireTimeout ? TimeSpan.FromSeconds(30) : Timeout.InfiniteTimeSpan,
        ValidateAfterIdle = Timeout.InfiniteTimeSpan,
        IdleTimeout = Timeout.InfiniteTimeSpan,
        MaxLifetime = Timeout.InfiniteTimeSpan,
        MaintenanceInterval = Timeout.InfiniteTimeSpan,
        TimeProvider = TimeProvider.System,
    };

    public static IBenchPool Ours(int maxSize, TimeSpan createDelay = default) =>
        new OurPoolAdapter("Ours", new BenchFactory(createDelay), AcquirePathOptions(maxSize));

    /// <summary>Ours with a 30 s AcquireTimeout: every wait arms (and disposes) a timer.</summary>
    public static IBenchPool OursWithTimeout(int maxSize) =>
        new OurPoolAdapter("Ours (30 s timeout)", new BenchFactory(default), AcquirePathOptions(maxSize, acquireTimeout: true));

    /// <summary>Ours with every default but MaxSize (validation after 500 ms idle, lifetime, maintenance, 30 s timeout).</summary>
    public static IBenchPool OursDefaults(int maxSize, TimeSpan createDelay = default, int? maxConcurrentCreates = null)
    {
        var options = new ConnectionPoolOptions { MaxSize = maxSize };
        string name = "Ours (defaults)";
        if (maxConcurrentCreates is { } creates)
        {
            options.MaxConcurrentCreates = creates;
            name = $"Ours (defaults, MaxConcurrentCreates = {creates})";
        }

        return new OurPoolAdapter(name, new BenchFactory(createDelay), options);
    }

    /// <summary>
    /// Ours sharing each connection among up to <paramref name="leasesPerConnection"/> leases, MinSize =
    /// MaxSize so the load spreads over every connection (acquire-path options otherwise). Warm it with
    /// <see cref="WarmSharedAsync"/>: holding leases would stack them on one connection.
    /// </summary>
    public static IBenchPool OursShared(int maxSize, int leasesPerConnection)
    {
        var options = AcquirePathOptions(maxSize);
        options.MinSize = maxSize;
        options.MaxLeasesPerConnection = leasesPerConnection;
        return new OurPoolAdapter($"Ours (shared, K = {leasesPerConnection})", new BenchFactory(default), options);
    }

    /// <summary>Opens a shared pool's MinSize connections (its warm-up) and checks it opened exactly <paramref name="count"/>.</summary>
    public static async Task WarmSharedAsync(IBenchPool pool, int count)
    {
        await ((OurPoolAdapter)pool).Pool.WarmUpAsync().ConfigureAwait(false);
        if (pool.Factory.Created != count)
        {
            throw new InvalidOperationException($"{pool.Name}: warming {count} connections created {pool.Factory.Created}.");
        }
    }

    /// <summary>The hand-rolled SemaphoreSlim bound over <paramref name="connections"/> shared round-robin, opened up front.</summary>
    public static IBenchPool SharedSemaphore(int connections, int callsPerConnection) =>
        new SharedSemaphoreAdapter(new BenchFactory(default), connections, callsPerConnection);

    public static IBenchPool ObjectPool(int maxSize) => new ObjectPoolAdapter(new BenchFactory(default), maxSize);

    public static IBenchPool SemaphoreBag(int maxSize, TimeSpan createDelay = default) =>
        new SemaphoreBagAdapter(new BenchFactory(createDelay), maxSize);

    public static IBenchPool PythonPort(int maxSize, TimeSpan createDelay = default) =>
        new PythonPortAdapter(new BenchFactory(createDelay), maxSize);

    /// <summary>
    /// Opens <paramref name="count"/> connections one at a time (held together, then all returned),
    /// so every pool starts with the same idle connections and the Python port cannot overshoot.
    /// </summary>
    public static async Task WarmAsync(IBenchPool pool, int count)
    {
        var leases = new Lease[count];
        for (int i = 0; i < count; i++)
        {
            leases[i] = await pool.AcquireAsync(CancellationToken.None).ConfigureAwait(false);
        }

        foreach (var lease in leases)
        {
            pool.Release(lease);
        }

        if (pool.Factory.Created != count)
        {
            throw new InvalidOperationException($"{pool.Name}: warming {count} connections created {pool.Factory.Created}.");
        }
    }

    /// <summary>Synchronous wait for set-up code (BenchmarkDotNet's set-up methods are synchronous).</summary>
    public static void Wait(Task task) => task.GetAwaiter().GetResult();
}
