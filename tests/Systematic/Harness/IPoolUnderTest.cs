namespace Pool.Tests.Systematic.Harness;

/// <summary>
/// What a scenario drives: the real <see cref="ConnectionPool{TConnection}"/> (through <see cref="RealPool"/>)
/// or a deliberately broken canary. Scenarios are written only against this, so the same scenario
/// that must pass on the pool must fail on each canary.
/// </summary>
internal interface IPoolUnderTest : IAsyncDisposable
{
    /// <summary>Leases a connection; <paramref name="timeout"/> null waits without a timeout.</summary>
    /// <exception cref="PoolExhaustedException">Timed out.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The pool is disposed.</exception>
    /// <exception cref="ConnectionCreateException">The create this acquire was first in line for failed.</exception>
    Task<ILeaseHandle> AcquireAsync(TimeSpan? timeout, CancellationToken cancellationToken);

    /// <summary>Leases an idle connection if one is ready now; never waits, never creates.</summary>
    /// <exception cref="ObjectDisposedException">The pool is disposed.</exception>
    bool TryAcquire([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ILeaseHandle? lease);

    /// <summary>A consistent snapshot (taken under the pool's lock).</summary>
    PoolStatistics GetStatistics();

    // DisposeAsync (from IAsyncDisposable) completes when the pool has drained: no create, destroy
    // or hand-off of it is still in flight, so the statistics and the factory can be compared.
}

/// <summary>One lease, as the pool under test hands it out.</summary>
internal interface ILeaseHandle
{
    TestConnection Connection { get; }

    /// <summary>Returns the connection. A second call (from any task) must do nothing.</summary>
    void Return();

    /// <summary>Marks the connection broken, so the return destroys it.</summary>
    void Invalidate();
}

/// <summary>Adapts <see cref="ConnectionPool{TConnection}"/> to <see cref="IPoolUnderTest"/>.</summary>
internal sealed class RealPool(ConnectionPool<TestConnection> pool) : IPoolUnderTest
{
    /// <summary>The pool itself, for the lifecycle operations scenarios drive directly (Clear, SetMaxSize, RunMaintenance, WarmUpAsync).</summary>
    public ConnectionPool<TestConnection> Inner => pool;

    public static RealPool Create(PoolSpec spec, ScriptedFactory factory, TimeProvider time, Random random) =>
        new(new ConnectionPool<TestConnection>(factory, spec.ToOptions(time, random)));

    public async Task<ILeaseHandle> AcquireAsync(TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var lease = await pool.AcquireAsync(timeout ?? Timeout.InfiniteTimeSpan, cancellationToken);
        return new Handle(lease);
    }

    public bool TryAcquire([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ILeaseHandle? lease)
    {
        lease = pool.TryAcquire(out var pooled) ? new Handle(pooled) : null;
        return lease is not null;
    }

    public PoolStatistics GetStatistics() => pool.GetStatistics();

    public ValueTask DisposeAsync() => pool.DisposeAsync();

    private sealed class Handle(PooledConnection<TestConnection> lease) : ILeaseHandle
    {
        // Read while the lease is active: the connection property refuses once it was returned.
        public TestConnection Connection { get; } = lease.Connection;

        public void Return() => lease.Dispose();

        public void Invalidate() => lease.Invalidate();
    }
}

/// <summary>
/// The pool settings a scenario asks for. Every lifecycle feature is OFF unless the scenario turns
/// it on (the pool's own defaults are not: CreateTimeout, validation after 500 ms idle, a maintenance
/// timer, fast-fail after 3 failures, 2 concurrent creates). Under Coyote every timer may fire at
/// any moment, so a default timer would race every scenario about something else.
/// <see cref="ToOptions"/> maps the spec to <see cref="ConnectionPoolOptions"/>.
/// </summary>
internal sealed record PoolSpec(int MaxSize)
{
    public int MinSize { get; init; }

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

    public ConnectionPoolOptions ToOptions(TimeProvider time, Random random) => new()
    {
        MaxSize = MaxSize,
        MinSize = MinSize,
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

/// <summary>What <see cref="ControlledRandom"/> answers.</summary>
internal enum JitterSource
{
    /// <summary>Always 0.</summary>
    Zero,

    /// <summary>0, 0.25, 0.5 or 0.75, chosen by Coyote (so explored and replayed).</summary>
    Chosen,
}

/// <summary>
/// The pool's jitter source (lifetime and backoff jitter) without uncontrolled randomness: either
/// always 0, or drawn from Coyote's controlled generator.
/// </summary>
internal sealed class ControlledRandom(JitterSource source, Microsoft.Coyote.Random.Generator generator) : Random
{
    public override double NextDouble() => Sample();

    public override int Next() => (int)(Sample() * int.MaxValue);

    public override int Next(int maxValue) => (int)(Sample() * maxValue);

    public override int Next(int minValue, int maxValue) => minValue + (int)(Sample() * ((long)maxValue - minValue));

    public override void NextBytes(byte[] buffer) => Array.Clear(buffer);

    protected override double Sample() => source == JitterSource.Zero ? 0 : generator.NextInteger(4) / 4.0;
}
