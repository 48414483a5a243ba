using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace Pool.Internal;

/// <summary>
/// The instruments of one <see cref="Meter"/>, shared by every pool that reports through it.
/// </summary>
/// <remarks>
/// A meter factory hands the same Meter to every pool that asks for <see cref="PoolDiagnostics.MeterName"/>
/// (the default one caches meters by name, version and tags). Creating instruments per pool would put
/// several <c>db.client.connection.count</c> instruments on that one Meter, and a disposed pool's
/// callbacks would stay on it (reporting, and keeping the pool alive) until the container ends. So the
/// instruments exist once per Meter, and the observable ones walk the pools registered now, each
/// under its own pool name; a pool leaves when it is disposed.
/// </remarks>
internal sealed class PoolInstruments
{
    private const string StateKey = "db.client.connection.state";

    // The database semantic conventions' duration buckets (db.client.operation.duration), in seconds.
    private static readonly double[] DurationBuckets = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10];

    // Weak keys: a Meter that is disposed and dropped takes its instruments with it.
    private static readonly ConditionalWeakTable<Meter, PoolInstruments> ByMeter = new();
    private static readonly object CreateLock = new();

    private static readonly KeyValuePair<string, object?> Idle = new(StateKey, "idle");
    private static readonly KeyValuePair<string, object?> Used = new(StateKey, "used");

    private readonly object _poolsLock = new();
    private readonly List<PoolMetrics> _pools = []; // guarded by _poolsLock

    private PoolInstruments(Meter meter)
    {
        Timeouts = meter.CreateCounter<long>(
            "db.client.connection.timeouts", "{timeout}",
            "The number of connection timeouts that have occurred trying to obtain a connection from the pool.");
        CreateTime = meter.CreateHistogram<double>(
            "db.client.connection.create_time", "s",
            "The time it took to create a new connection (successful creates only; failures are counted in pool.connection.create_failures).",
            tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        WaitTime = meter.CreateHistogram<double>(
            "db.client.connection.wait_time", "s",
            "The time it took to obtain an open connection from the pool.",
            tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        UseTime = meter.CreateHistogram<double>(
            "db.client.connection.use_time", "s",
            "The time between borrowing a connection and returning it to the pool.",
            tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        CreateFailures = meter.CreateCounter<long>(
            "pool.connection.create_failures", "{failure}",
            "Creates that failed or timed out; error.type is the exception's type.");
        Destroyed = meter.CreateCounter<long>(
            "pool.connection.destroyed", "{connection}",
            "Connections the pool retired, by pool.destroy.reason.");

        meter.CreateObservableUpDownCounter(
            "db.client.connection.count", () => Observe(static (s, tag) => [new(s.Idle, tag, Idle), new(s.InUse, tag, Used)]),
            "{connection}", "The number of connections that are currently in state described by the state attribute.");
        meter.CreateObservableUpDownCounter(
            "pool.connection.leases", () => Observe(static (s, tag) => [new(s.Leases, tag)]),
            "{lease}", "Leases handed out and not yet returned; with MaxLeasesPerConnection above 1 several share one used connection.");
        meter.CreateObservableUpDownCounter(
            "db.client.connection.idle.max", () => Observe(static (s, tag) => [new(s.MaxSize, tag)]),
            "{connection}", "The maximum number of idle open connections allowed (every connection may be idle: MaxSize).");
        meter.CreateObservableUpDownCounter(
            "db.client.connection.idle.min", () => Observe(static (s, tag) => [new(s.MinSize, tag)]),
            "{connection}", "The minimum number of idle open connections allowed (MinSize: kept open and refilled).");
        meter.CreateObservableUpDownCounter(
            "db.client.connection.max", () => Observe(static (s, tag) => [new(s.MaxSize, tag)]),
            "{connection}", "The maximum number of open connections allowed.");
        meter.CreateObservableUpDownCounter(
            "db.client.connection.pending_requests", () => Observe(static (s, tag) => [new(s.Waiters, tag)]),
            "{request}", "The number of current pending requests for an open connection.");
        meter.CreateObservableUpDownCounter(
            "pool.unavailable", () => Observe(static (s, tag) => [new(s.IsUnavailable ? 1 : 0, tag)]),
            "{pool}", "1 while the fast-fail window is open (acquires that no idle connection serves fail at once), else 0.");
    }

    public Counter<long> Timeouts { get; }

    public Histogram<double> CreateTime { get; }

    public Histogram<double> WaitTime { get; }

    public Histogram<double> UseTime { get; }

    public Counter<long> CreateFailures { get; }

    public Counter<long> Destroyed { get; }

    /// <summary>The instruments of <paramref name="meter"/>, created on first use.</summary>
    public static PoolInstruments For(Meter meter)
    {
        // Not ConditionalWeakTable.GetValue: it may run the factory twice in a race and keep one,
        // which would leave a second set of instruments on the Meter.
        lock (CreateLock)
        {
            if (!ByMeter.TryGetValue(meter, out var instruments))
            {
                instruments = new PoolInstruments(meter);
                ByMeter.Add(meter, instruments);
            }

            return instruments;
        }
    }

    public void Register(PoolMetrics pool)
    {
        lock (_poolsLock)
        {
            _pools.Add(pool);
        }
    }

    public void Unregister(PoolMetrics pool)
    {
        lock (_poolsLock)
        {
            _pools.Remove(pool);
        }
    }

    /// <summary>
    /// One collection: a snapshot per registered pool, each taken under that pool's lock and turned
    /// into measurements after it (the pools are copied first, so no pool lock is taken under ours).
    /// </summary>
    private List<Measurement<int>> Observe(Func<PoolStatistics, KeyValuePair<string, object?>, Measurement<int>[]> measure)
    {
        PoolMetrics[] pools;
        lock (_poolsLock)
        {
            pools = [.. _pools];
        }

        var measurements = new List<Measurement<int>>(pools.Length * 2);
        foreach (var pool in pools)
        {
            measurements.AddRange(measure(pool.Snapshot(), pool.PoolTag));
        }

        return measurements;
    }
}
