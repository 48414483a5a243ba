namespace Pool.Demo.Faults;

/// <summary>The faults a worker injects on the client side, as chances per call.</summary>
internal sealed record WorkerChaos
{
    /// <summary>The plain demo: every call a plain call of the drop-in <c>QdrantClientPool.Client</c>, nothing injected.</summary>
    public static readonly WorkerChaos None = new();

    /// <summary>The soak's mix.</summary>
    public static readonly WorkerChaos Soak = new()
    {
        ExplicitLeases = 0.5,
        Cancel = 0.04,
        ShortTimeout = 0.05,
        Invalidate = 0.01,
        Hold = 0.1,
    };

    /// <summary>Share of calls made on a lease the worker holds itself (the rest are plain calls of the drop-in client).</summary>
    public double ExplicitLeases { get; init; }

    /// <summary>Chance that the call's token is cancelled after 0 to 50 ms (0: before the acquire).</summary>
    public double Cancel { get; init; }

    /// <summary>Chance that an explicit lease is acquired with a timeout of 1 to 50 ms.</summary>
    public double ShortTimeout { get; init; }

    /// <summary>Chance that a healthy explicit lease is invalidated anyway.</summary>
    public double Invalidate { get; init; }

    /// <summary>Chance that an explicit lease is held 1 to 20 ms after its call.</summary>
    public double Hold { get; init; }
}
