namespace Pool.Tests.Systematic.Harness;

/// <summary>
/// The pool settings a scenario asks for. Every lifecycle feature is OFF unless the scenario turns
/// it on (the pool's own defaults are not: CreateTimeout, validation after 500 ms idle, a maintenance
/// timer, fast-fail after 3 failures, 2 concurrent creates). Under Coyote every timer may fire at
/// any moment, so a default timer would race every scenario about something else.
/// <see cref="ToOptions"/> maps the spec to <see cref="ConnectionPoolOptions"/>; <see cref="CreateReal"/> and
/// <see cref="CreateCanary"/> build the pool a scenario drives in them.
/// </summary>
internal sealed record PoolSpec(int MaxSize)
{
    public int MinSize { get; init; }

    /// <summary>K: how many leases one connection serves at once (1: exclusive leases).</summary>
    public int MaxLeasesPerConnection { get; init; } = 1;

    /// <summary>Null: MaxSize (creates are capped only by capacity).</summary>
    public int? MaxConcurrentCreates { get; init; }

    public TimeSpan CreateTimeout { get; init; } = Timeout.InfiniteTimeSpan;

    public TimeSpan DestroyTimeout { get; init; } = Timeout.InfiniteTimeSpan;

    /// <summary>Infinite: never validate on borrow; zero: validate every idle borrow.</summary>
    public TimeSpan ValidateAfterIdle { get; init; } = Timeout.InfiniteTimeSpan;

    public TimeSpan ValidationTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan IdleTimeout { get; init; } = Timeout.InfiniteTimeSpan;

    public TimeSpan MaxLifetime { get; init; } = Timeout.InfiniteTimeSpan;

    public double LifetimeJitter { get; init; }

    /// <summary>Infinite: no background maintenance timer (scenarios call RunMaintenance themselves).</summary>
    public TimeSpan MaintenanceInterval { get; init; } = Timeout.InfiniteTimeSpan;

    /// <summary>0: never fail fast.</summary>
    public int FailFastAfter { get; init; }

    public TimeSpan BackoffInitial { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan BackoffMax { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How the pool's jitter source answers: always 0 (no backoff wait, no lifetime jitter), or Coyote's choice.</summary>
    public JitterSource Jitter { get; init; } = JitterSource.Zero;

    /// <summary>The real pool in this spec's options.</summary>
    public RealPool CreateReal(IConnectionFactory<TestConnection> factory, TimeProvider time, Random random) =>
        new(new ConnectionPool<TestConnection>(factory, ToOptions(time, random)));

    /// <summary>The test kit's canary with <paramref name="bug"/> (null: the correct canary) in this spec's options (it reads MaxSize, MaxLeasesPerConnection, the backoff, the clock and the jitter source).</summary>
    public CanaryPool CreateCanary(CanaryBug? bug, IConnectionFactory<TestConnection> factory, TimeProvider time, Random random) =>
        new(bug, ToOptions(time, random), factory);

    public ConnectionPoolOptions ToOptions(TimeProvider time, Random random) => new()
    {
        MaxSize = MaxSize,
        MinSize = MinSize,
        MaxLeasesPerConnection = MaxLeasesPerConnection,
        MaxConcurrentCreates = MaxConcurrentCreates ?? MaxSize,
        AcquireTimeout = Timeout.InfiniteTimeSpan, // Scenarios pass a timeout per acquire.
        DisposeTimeout = Timeout.InfiniteTimeSpan, // DisposeAsync completes only when drained.
        CreateTimeout = CreateTimeout,
        DestroyTimeout = DestroyTimeout,
        ValidateAfterIdle = ValidateAfterIdle,
        ValidationTimeout = ValidationTimeout,
        IdleTimeout = IdleTimeout,
        MaxLifetime = MaxLifetime,
        LifetimeJitter = LifetimeJitter,
        MaintenanceInterval = MaintenanceInterval,
        FailFastAfter = FailFastAfter,
        BackoffInitial = BackoffInitial,
        BackoffMax = BackoffMax,
        TimeProvider = time,
        Random = random,
        Name = "systematic",
    };
}
