using System.Runtime.CompilerServices;

namespace Pool.Tests.Unit.Support;

internal static class TestPools
{
    /// <summary>
    /// A pool for the core behaviours: lifecycle features that need time to pass (backoff,
    /// fast-fail, validation, maintenance) are off unless a test turns them on.
    /// </summary>
    public static ConnectionPool<TestConnection> Create(
        FakeFactory factory, FakeTimeProvider time, int maxSize = 4, int minSize = 0,
        TimeSpan? acquireTimeout = null, TimeSpan? disposeTimeout = null, Action<ConnectionPoolOptions>? configure = null)
    {
        var options = CoreOptions(time, maxSize, minSize, acquireTimeout, disposeTimeout);
        configure?.Invoke(options);
        var pool = new ConnectionPool<TestConnection>(factory, options);
        Factories.AddOrUpdate(pool, factory);
        if (time is ArmedTimerClock armed)
        {
            PoolRest.Follow(armed, pool, factory); // its steps wait for this pool's released work
        }

        return pool;
    }

    public static ConnectionPoolOptions CoreOptions(
        FakeTimeProvider time, int maxSize = 4, int minSize = 0, TimeSpan? acquireTimeout = null, TimeSpan? disposeTimeout = null) => new()
        {
            MaxSize = maxSize,
            MinSize = minSize,
            AcquireTimeout = acquireTimeout ?? TimeSpan.FromSeconds(10),
            // Zero unless a test waits for the drain: a test that fails holding a lease or a gated create
            // must fail, not hang in its `await using` dispose (an infinite timeout on a clock nobody moves).
            DisposeTimeout = disposeTimeout ?? TimeSpan.Zero,
            MaxConcurrentCreates = maxSize,
            Random = FixedRandom.Zero, // backoff waits 0 · cap: failed creates retry at once
            FailFastAfter = 0,
            ValidateAfterIdle = Timeout.InfiniteTimeSpan,
            CreateTimeout = Timeout.InfiniteTimeSpan,
            MaintenanceInterval = Timeout.InfiniteTimeSpan,
            TimeProvider = time,
            Name = "test",
        };

    /// <summary>
    /// Asserts the shared invariants on a snapshot and returns it; for a pool made by <see cref="Create"/>,
    /// also that its factory never saw two calls overlap on one connection (I11).
    /// </summary>
    public static PoolStatistics Checked(this ConnectionPool<TestConnection> pool)
    {
        var stats = pool.GetStatistics();
        Assert.Null(PoolInvariants.FindViolation(stats));
        if (Factories.TryGetValue(pool, out var factory))
        {
            Assert.Empty(factory.Overlaps);
        }

        return stats;
    }

    /// <summary>One acquire and its return, as a warm-up or a lease cycle; returns the connection that was leased.</summary>
    public static async Task<TestConnection> AcquireAndReturnAsync(this ConnectionPool<TestConnection> pool)
    {
        await using var lease = await pool.AcquireAsync();
        return lease.Connection;
    }

    /// <summary>Acquires <paramref name="count"/> leases one after another.</summary>
    public static async Task<List<PooledConnection<TestConnection>>> AcquireManyAsync(this ConnectionPool<TestConnection> pool, int count)
    {
        var leases = new List<PooledConnection<TestConnection>>();
        for (int i = 0; i < count; i++)
        {
            leases.Add(await pool.AcquireAsync());
        }

        return leases;
    }

    // The factory each pool made here uses, so Checked can ask it about overlapping calls.
    private static readonly ConditionalWeakTable<ConnectionPool<TestConnection>, FakeFactory> Factories = new();
}
