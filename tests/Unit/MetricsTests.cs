using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Pool.Tests.Unit;

/// <summary>The meter, its instruments and the gauges; the recorded events are in MetricsRecordingTests.</summary>
public sealed class MetricsTests : PoolFixture<ArmedTimerClock>
{
    [Fact]
    public async Task Meter_CarriesEachConventionInstrumentWithItsKindAndUnit_AndThePoolsOwnUnderPoolPrefix()
    {
        await using var pool = TestPools.Create(Factory, Time);

        var instruments = Telemetry.PublishedOn(pool.Meter);

        Assert.Equal(("Pool", "Pool"), (PoolDiagnostics.MeterName, pool.Meter.Name));
        Assert.Null(pool.Meter.Scope);
        Assert.Equal(
            new (string, Type, string)[]
            {
                ("db.client.connection.count", typeof(ObservableUpDownCounter<int>), "{connection}"),
                ("db.client.connection.create_time", typeof(Histogram<double>), "s"),
                ("db.client.connection.idle.max", typeof(ObservableUpDownCounter<int>), "{connection}"),
                ("db.client.connection.idle.min", typeof(ObservableUpDownCounter<int>), "{connection}"),
                ("db.client.connection.max", typeof(ObservableUpDownCounter<int>), "{connection}"),
                ("db.client.connection.pending_requests", typeof(ObservableUpDownCounter<int>), "{request}"),
                ("db.client.connection.timeouts", typeof(Counter<long>), "{timeout}"),
                ("db.client.connection.use_time", typeof(Histogram<double>), "s"),
                ("db.client.connection.wait_time", typeof(Histogram<double>), "s"),
                ("pool.connection.create_failures", typeof(Counter<long>), "{failure}"),
                ("pool.connection.destroyed", typeof(Counter<long>), "{connection}"),
                ("pool.connection.leases", typeof(ObservableUpDownCounter<int>), "{lease}"),
                ("pool.unavailable", typeof(ObservableUpDownCounter<int>), "{pool}"),
            },
            instruments.Select(i => (i.Name, i.GetType(), i.Unit!)));
        Assert.All(instruments, i => Assert.False(string.IsNullOrWhiteSpace(i.Description)));
        Assert.All(instruments.OfType<Histogram<double>>(), h => Assert.Equal(
            new[] { 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10 }, h.Advice!.HistogramBucketBoundaries!));
    }

    [Fact]
    public async Task Gauges_ReportIdleUsedLimitsAndPendingRequestsUnderThePoolName()
    {
        await using var pool = TestPools.Create(Factory, Time, maxSize: 3, minSize: 1, acquireTimeout: TimeSpan.FromMinutes(1));
        using var count = pool.Collect<int>("db.client.connection.count");
        using var pending = pool.Collect<int>("db.client.connection.pending_requests");
        using var max = pool.Collect<int>("db.client.connection.max");
        using var idleMax = pool.Collect<int>("db.client.connection.idle.max");
        using var idleMin = pool.Collect<int>("db.client.connection.idle.min");
        await pool.WarmUpAsync();

        Assert.Equal([("test", "idle", 1), ("test", "used", 0)], count.Observe().ByTag(Telemetry.State));

        var a = await pool.AcquireAsync();
        var b = await pool.AcquireAsync();
        var c = await pool.AcquireAsync();
        var first = pool.AcquireAsync().AsTask();
        var second = pool.AcquireAsync().AsTask();

        Assert.Equal([("test", "idle", 0), ("test", "used", 3)], count.Observe().ByTag(Telemetry.State));
        Assert.Equal([("test", null, 2)], pending.Observe().ByTag(Telemetry.State));
        Assert.Equal([("test", null, 3)], max.Observe().ByTag(Telemetry.State));
        Assert.Equal([("test", null, 3)], idleMax.Observe().ByTag(Telemetry.State));
        Assert.Equal([("test", null, 1)], idleMin.Observe().ByTag(Telemetry.State));

        await c.DisposeAsync();
        var d = await first;
        pool.SetMaxSize(5);
        var e = await second;

        Assert.Equal([("test", null, 0)], pending.Observe().ByTag(Telemetry.State));
        Assert.Equal([("test", null, 5)], max.Observe().ByTag(Telemetry.State));
        Assert.Equal([("test", null, 5)], idleMax.Observe().ByTag(Telemetry.State));
        Assert.Equal([("test", "idle", 0), ("test", "used", 4)], count.Observe().ByTag(Telemetry.State));

        foreach (var lease in new[] { a, b, d, e })
        {
            await lease.DisposeAsync();
        }

        Assert.Equal([("test", "idle", 4), ("test", "used", 0)], count.Observe().ByTag(Telemetry.State));
    }

    [Fact]
    public async Task TwoPoolsOnTheContainersMeterFactory_ShareOneMeterAndOneInstrumentSetAndEachReportsOnceUnderItsName()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<IMeterFactory>();
        await using var orders = TestPools.Create(Factory, Time, configure: o => (o.Name, o.MeterFactory) = ("orders", meters));
        await using var search = TestPools.Create(new FakeFactory(), Time, configure: o => (o.Name, o.MeterFactory) = ("search", meters));
        using var count = new MetricCollector<int>(meters, PoolDiagnostics.MeterName, "db.client.connection.count");
        using var useTime = new MetricCollector<double>(meters, PoolDiagnostics.MeterName, "db.client.connection.use_time");

        // The container's factory caches meters by name: both pools get the same one. Instruments
        // per pool would put two db.client.connection.count on it; there is one set.
        Assert.Same(orders.Meter, search.Meter);
        Assert.Same(meters, orders.Meter.Scope);
        var instruments = Telemetry.PublishedOn(orders.Meter);
        Assert.Equal(13, instruments.Count);
        Assert.Single(instruments, i => i.Name == "db.client.connection.count");

        var held = await orders.AcquireAsync();
        var s1 = await search.AcquireAsync();
        var s2 = await search.AcquireAsync();
        await s2.DisposeAsync();

        Assert.Equal(
            [("orders", "idle", 0), ("orders", "used", 1), ("search", "idle", 1), ("search", "used", 1)],
            count.Observe().ByTag(Telemetry.State));

        await held.DisposeAsync();
        await orders.DisposeAsync();
        Time.Advance(TimeSpan.FromSeconds(2));
        await s1.DisposeAsync();

        // The disposed pool left the gauges; the meter is the factory's and still reports the other.
        Assert.Equal([("search", "idle", 2), ("search", "used", 0)], count.Observe().ByTag(Telemetry.State));
        Assert.Equal([("orders", null, 0.0), ("search", null, 0.0), ("search", null, 2.0)], useTime.GetMeasurementSnapshot().ByTag("none"));
    }

    [Fact]
    public async Task TwoPoolsWithTheirOwnMeters_EachMeterReportsOnlyItsPool()
    {
        await using var orders = TestPools.Create(Factory, Time, configure: o => o.Name = "orders");
        await using var search = TestPools.Create(new FakeFactory(), Time, configure: o => o.Name = "search");
        using var ordersCount = orders.Collect<int>("db.client.connection.count");
        using var searchCount = search.Collect<int>("db.client.connection.count");
        await using var lease = await search.AcquireAsync();

        Assert.NotSame(orders.Meter, search.Meter);
        Assert.Equal([("orders", "idle", 0), ("orders", "used", 0)], ordersCount.Observe().ByTag(Telemetry.State));
        Assert.Equal([("search", "idle", 0), ("search", "used", 1)], searchCount.Observe().ByTag(Telemetry.State));
    }

    [Fact]
    public async Task OwnMeter_IsDisposedWithThePool_AFactorysMeterWithTheFactory()
    {
        var own = TestPools.Create(Factory, Time);
        var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var shared = TestPools.Create(new FakeFactory(), Time, configure: o => o.MeterFactory = services.GetRequiredService<IMeterFactory>());
        var completed = new Dictionary<Meter, int> { [own.Meter] = 0, [shared.Meter] = 0 };
        using var listener = new MeterListener
        {
            InstrumentPublished = (i, l) =>
            {
                if (completed.ContainsKey(i.Meter))
                {
                    l.EnableMeasurementEvents(i);
                }
            },
            MeasurementsCompleted = (i, _) => completed[i.Meter]++,
        };
        listener.Start();

        await own.DisposeAsync();
        await shared.DisposeAsync();

        Assert.Equal((13, 0), (completed[own.Meter], completed[shared.Meter]));
        await services.DisposeAsync();
        Assert.Equal(13, completed[shared.Meter]);
    }

    [Fact]
    public async Task Unavailable_IsOneWhileTheFastFailWindowIsOpen()
    {
        await using var pool = TestPools.Create(Factory, Time, configure: o => o.FailFastAfter = 2);
        using var unavailable = pool.Collect<int>("pool.unavailable");
        Assert.Equal([("test", null, 0)], unavailable.Observe().ByTag("none"));

        Factory.CreateError = new IOException("refused");
        await Assert.ThrowsAsync<ConnectionCreateException>(() => pool.AcquireAsync().AsTask());
        await Assert.ThrowsAsync<PoolUnavailableException>(() => pool.AcquireAsync().AsTask());

        Assert.Equal([("test", null, 1)], unavailable.Observe().ByTag("none"));

        Factory.CreateError = null;
        await Time.AdvanceUntilAsync(() => !pool.GetStatistics().IsUnavailable, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(5), "the probe closed the window");
        Assert.Equal([("test", null, 0)], unavailable.Observe().ByTag("none"));
    }
}
