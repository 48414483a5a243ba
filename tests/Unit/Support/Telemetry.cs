using Microsoft.Extensions.Diagnostics.Metrics.Testing;


namespace Pool.Tests.Unit.Support;

/// <summary>Listening to one pool's metrics and logs in the unit tests.</summary>
internal static class Telemetry
{
    public const string PoolName = "db.client.connection.pool.name";
    public const string State = "db.client.connection.state";

    /// <summary>
    /// Collects one instrument of this pool's meter only. Every pool in the process has a meter named
    /// "Pool"; listening to the other tests' pools (they run in parallel) would make their allocation
    /// tests count the bytes of our collector.
    /// </summary>
    public static MetricCollector<T> Collect<T>(this ConnectionPool<TestConnection> pool, string instrument)
        where T : struct => new(pool.Meter, instrument);

    /// <summary>Runs the observable callbacks once and returns (and clears) what they reported.</summary>
    public static IReadOnlyList<CollectedMeasurement<T>> Observe<T>(this MetricCollector<T> collector)
        where T : struct
    {
        collector.RecordObservableInstruments();
        return collector.GetMeasurementSnapshot(clear: true);
    }

    /// <summary>(pool name, value of <paramref name="key"/>, value) of each measurement, sorted: one exact assertion per collection.</summary>
    public static (string?, string?, T)[] ByTag<T>(this IEnumerable<CollectedMeasurement<T>> measurements, string key)
        where T : struct =>
        measurements
            .Select(m => ((string?)m.Tags[PoolName], m.Tags.TryGetValue(key, out var v) ? (string?)v : null, m.Value))
            .OrderBy(m => m.Item1, StringComparer.Ordinal).ThenBy(m => m.Item2, StringComparer.Ordinal)
            .ToArray();

    /// <summary>Every instrument published on <paramref name="meter"/>, by name.</summary>
    public static List<Instrument> PublishedOn(Meter meter)
    {
        var published = new List<Instrument>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (ReferenceEquals(instrument.Meter, meter))
                {
                    published.Add(instrument);
                }
            },
        };
        listener.Start(); // reports the instruments that exist already
        return published.OrderBy(i => i.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>A logger factory over <paramref name="provider"/> alone, with every level on.</summary>
    public static ILoggerFactory LogsTo(ILoggerProvider provider) =>
        LoggerFactory.Create(b => b.AddProvider(provider).SetMinimumLevel(LogLevel.Trace));

    public static ILoggerFactory Logs(FakeLogCollector collector, LogLevel minimum = LogLevel.Trace) =>
        LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(collector)).SetMinimumLevel(minimum));

    /// <summary>
    /// Retires one connection for each reason, in the order of <see cref="Reasons"/>: invalidated,
    /// validation failed, idle, expired, cleared, surplus, disposed. Ends with the pool disposed.
    /// The pool needs ValidateAfterIdle 10 s, IdleTimeout 1 min, MaxLifetime 10 min without jitter.
    /// </summary>
    public static async Task DestroyOneForEachReasonAsync(ConnectionPool<TestConnection> pool, FakeFactory factory, ArmedTimerClock time)
    {
        var broken = await pool.AcquireAsync();
        broken.Invalidate();
        await broken.DisposeAsync();                                   // invalidated

        await (await pool.AcquireAsync()).DisposeAsync();
        time.Advance(TimeSpan.FromSeconds(11));
        factory.Validate = _ => false;
        var fresh = await pool.AcquireAsync();                         // validation_failed, then a fresh one
        factory.Validate = _ => true;
        await fresh.DisposeAsync();

        time.Advance(TimeSpan.FromMinutes(1));
        pool.RunMaintenance();                                         // idle

        var old = await pool.AcquireAsync();
        time.Advance(TimeSpan.FromMinutes(10));
        await old.DisposeAsync();                                      // expired

        await (await pool.AcquireAsync()).DisposeAsync();
        pool.Clear();                                                  // cleared

        var a = await pool.AcquireAsync();
        var b = await pool.AcquireAsync();
        await a.DisposeAsync();
        await b.DisposeAsync();
        pool.SetMaxSize(1);                                            // surplus

        await pool.DisposeAsync();                                     // disposed
    }

    public static readonly string[] Reasons = ["invalidated", "validation_failed", "idle", "expired", "cleared", "surplus", "disposed"];

    public static void ForDestroyEveryWay(ConnectionPoolOptions o)
    {
        o.ValidateAfterIdle = TimeSpan.FromSeconds(10);
        o.IdleTimeout = TimeSpan.FromMinutes(1);
        o.MaxLifetime = TimeSpan.FromMinutes(10);
        o.LifetimeJitter = 0;
    }
}
