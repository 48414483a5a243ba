using Pool.Demo.Faults;
using Pool.Demo.Load;
using Pool.Qdrant;
using Pool.Qdrant.Testing;
using Qdrant.Client;

namespace Pool.Demo.CommandLine;

/// <summary>One run's settings: the command line's, and the hooks the soak's tests use.</summary>
internal sealed record RunSettings
{
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    public int Workers { get; init; } = 64;

    public int MaxSize { get; init; } = 8;

    /// <summary>Calls (leases) one channel carries at once; the binding's default unless a test needs exclusive leases.</summary>
    public int MaxLeasesPerConnection { get; init; } = QdrantPoolOptions.DefaultMaxLeasesPerConnection;

    public TimeSpan RestartEvery { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>A real Qdrant, or null for the in-process stand-in.</summary>
    public Uri? Qdrant { get; init; }

    public bool Chaos { get; init; }

    /// <summary>Seeds the chaos (and the workers' draws), so a failing run's faults can be replayed.</summary>
    public int Seed { get; init; }

    public WorkerChaos WorkerChaos { get; init; } = WorkerChaos.None;

    /// <summary>Replaces the pool as the source of explicit leases (tests: a deliberately broken one).</summary>
    public Func<ConnectionPool<QdrantClient>, ILeaseBroker>? Broker { get; init; }

    /// <summary>Runs on the stand-in after the set-up, before the load (tests: switch a fault on for the whole run).</summary>
    public Action<QdrantStandIn>? PrepareStandIn { get; init; }

    /// <summary>How long the pool may take to serve again, to go quiet and for the server to agree, after the load stops.</summary>
    public TimeSpan QuietTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The pool's DisposeTimeout: how long dispose waits for leases still out.</summary>
    public TimeSpan DisposeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The soak's short deadlines (gRPC 2 s, acquire 3 s): hangs end soon and waiters time out.</summary>
    public TimeSpan GrpcTimeout => Chaos ? TimeSpan.FromSeconds(2) : TimeSpan.FromSeconds(30);

    public TimeSpan AcquireTimeout => Chaos ? TimeSpan.FromSeconds(3) : TimeSpan.FromSeconds(30);

    /// <summary>Longest a call can take after the stop: its acquire, then its call, then slack.</summary>
    public TimeSpan StopTimeout => AcquireTimeout + GrpcTimeout + TimeSpan.FromSeconds(10);

    public static RunSettings From(DemoOptions options, int seed) => new()
    {
        Duration = options.Duration,
        Workers = options.Workers,
        MaxSize = options.MaxSize,
        RestartEvery = options.RestartEvery,
        Qdrant = options.Qdrant,
        Chaos = options.Chaos,
        Seed = seed,
        WorkerChaos = options.Chaos ? WorkerChaos.Soak : WorkerChaos.None,
    };

    /// <summary>
    /// The demo keeps the binding's defaults (a pool as an app would configure it). The soak shortens
    /// every deadline and lifetime so that validation, idle reaping, expiry, timeouts and evictions
    /// all happen many times a minute.
    /// </summary>
    public QdrantPoolOptions PoolOptions(Uri address, string? apiKey)
    {
        var options = new QdrantPoolOptions { Address = address, ApiKey = apiKey, GrpcTimeout = GrpcTimeout };
        options.Pool.Name = Chaos ? "chaos" : "demo"; // in place: the binding's other pool defaults stay
        options.Pool.MaxSize = MaxSize;
        options.Pool.MinSize = Math.Min(options.Pool.MinSize, MaxSize); // the binding's 3 channels, fewer in a smaller pool
        options.Pool.MaxLeasesPerConnection = MaxLeasesPerConnection;
        options.Pool.AcquireTimeout = AcquireTimeout;
        options.Pool.DisposeTimeout = DisposeTimeout;
        if (Chaos)
        {
            options.ConnectTimeout = TimeSpan.FromSeconds(1);
            options.HealthCheckTimeout = TimeSpan.FromSeconds(1);
            options.Pool.ValidateAfterIdle = TimeSpan.FromMilliseconds(100);
            options.Pool.ValidationTimeout = TimeSpan.FromSeconds(1);
            options.Pool.IdleTimeout = TimeSpan.FromSeconds(1.5);
            options.Pool.MaxLifetime = TimeSpan.FromSeconds(3);
            options.Pool.LifetimeJitter = 0.25;
            options.Pool.CreateTimeout = TimeSpan.FromSeconds(10);
        }

        return options;
    }
}
