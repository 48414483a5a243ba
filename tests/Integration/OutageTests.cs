using System.Globalization;
using Microsoft.Extensions.Time.Testing;

namespace Pool.Tests.Integration;

/// <summary>
/// Qdrant down under load and back again, with the binding's default options: calls fail fast
/// while it is down, no slot leaks, MaxSize holds, the counts match reality, connect attempts stay
/// bounded, and the pool serves again within 2 seconds of Qdrant's return.
/// </summary>
public sealed class OutageTests(ITestOutputHelper output)
{
    private const int Workers = 64;
    private const int MaxSize = 8;
    private const int Points = 100;

    private static readonly TimeSpan FastFailLimit = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan RecoveryLimit = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task While_Qdrant_is_down_calls_fail_fast_with_the_RpcException_inside_and_no_slot_leaks()
    {
        await using var grid = await GridStandIn.StartAsync(DefaultOptionsPool, Points);
        var (standIn, pool) = grid;

        PeakSampler sampler;
        OutageLoad load;
        await using (sampler = new PeakSampler(pool, standIn))
        {
            await using (load = new OutageLoad(pool, Workers, Points))
            {
                await load.WaitForSuccessesAsync(200);
                await standIn.StopAsync();
                await load.WaitForFastFailuresAsync(5_000);
            }

            // Down and quiet: nothing holds a slot but the one probe create the window keeps going.
            await Waits.UntilAsync(() => pool.GetStatistics().Destroying == 0, () => $"destroys still running: {pool.GetStatistics()}");
            var down = pool.GetStatistics();
            output.WriteLine($"down: {down}; factory live {pool.Factory.LiveClients}");
            Assert.True(down.IsUnavailable);
            Assert.Equal(0, down.Idle);
            Assert.Equal(0, down.InUse);
            Assert.Equal(0, down.Waiters);
            Assert.InRange(down.Creating, 0, 1);
            Assert.Equal(down.Creating, down.Total);
            Assert.Equal(0, down.Live);
            Assert.Equal(0, pool.Factory.LiveClients);

            // Back: the probe gets through, and the three counts agree.
            await standIn.StartAsync();
            await Waits.UntilAsync(
                () => pool.GetStatistics() is { IsUnavailable: false, Creating: 0 },
                () => $"the pool has not noticed Qdrant is back: {pool.GetStatistics()}");
        }

        var back = pool.GetStatistics();
        await QuietPoint.AssertCountsMatchAsync(pool, standIn, back.Total);
        Assert.Equal(pool.Factory.Created, back.Created);
        Assert.Equal(pool.Factory.Destroyed, back.Destroyed);

        // Calls made while the window is open fail at once; calls queued when it opened waited for the
        // creates that failed (their backoff included) and are reported apart.
        var latencies = load.FastFailLatencies.Order().ToArray();
        var released = load.ReleasedWaiterLatencies.Order().ToArray();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{load}; fast-fail latency over {latencies.Length} calls: p50 {Percentile(latencies, 0.50):F3} ms, "
            + $"p99 {Percentile(latencies, 0.99):F3} ms, max {latencies[^1]:F3} ms; {released.Length} waiters released when the window opened, "
            + $"after p50 {Percentile(released, 0.50):F1} ms, max {Percentile(released, 1):F1} ms"));
        output.WriteLine($"peaks: pool Total {sampler.PeakTotal}, live clients {sampler.PeakLiveClients}, server {standIn.PeakOpenConnections}");
        Assert.Empty(load.Unexpected);
        Assert.Empty(load.WrongInnerErrors);

        // Microseconds each; the bound on the slowest allows for a thread descheduled on a 2-core CI machine.
        Assert.True(Percentile(latencies, 0.99) < 5, $"p99 of fast failures {Percentile(latencies, 0.99):F1} ms");
        Assert.True(Percentile(latencies, 0.999) < FastFailLimit.TotalMilliseconds, $"p99.9 of fast failures {Percentile(latencies, 0.999):F1} ms");
        Assert.True(latencies[^1] < 5 * FastFailLimit.TotalMilliseconds, $"slowest fast failure took {latencies[^1]:F1} ms");
        MaxSizeHeld.Throughout(standIn, sampler, MaxSize);
    }

    [Fact]
    public async Task After_30_second_outages_the_pool_with_default_options_serves_again_within_2_seconds()
    {
        const int Outages = 3;

        // The binding's defaults (MaxSize 10, BackoffMax 1 s, ...) but for the pool's clock, which the
        // pump runs thirty times faster during each outage and in step with real time otherwise.
        await using var pump = new TimePump(new FakeTimeProvider(), speed: 1);
        await using var grid = await GridStandIn.StartAsync(
            s => new QdrantClientPool(new QdrantPoolOptions { Address = s.Address, Pool = { TimeProvider = pump.Time } }), Points);
        var (standIn, pool) = grid;
        int maxSize = pool.GetStatistics().MaxSize;

        var recoveries = new List<TimeSpan>();
        PeakSampler sampler;
        OutageLoad load;
        await using (sampler = new PeakSampler(pool, standIn))
        {
            await using (load = new OutageLoad(pool, Workers, Points))
            {
                for (int outage = 0; outage < Outages; outage++)
                {
                    await load.WaitForSuccessesAsync(200);
                    await standIn.StopAsync();
                    var stoppedAt = pump.Time.GetUtcNow();
                    pump.Speed = 30;
                    await Waits.UntilAsync(() => pump.Time.GetUtcNow() - stoppedAt >= Outage, () => "the fake clock is stuck");
                    pump.Speed = 1;

                    // Long enough for the backoff to reach its cap: the slowest case for recovery.
                    var before = pool.GetStatistics();
                    Assert.True(before.IsUnavailable, $"not failing fast after the outage: {before}");
                    Assert.True(before.ConsecutiveCreateFailures >= 5, $"backoff below its cap: {before}");

                    var restart = Stopwatch.StartNew();
                    await standIn.StartAsync();
                    load.MarkRestart();
                    var listening = restart.Elapsed;
                    var fakeAtRestart = pump.Time.GetUtcNow();
                    await Waits.UntilAsync(() => load.RecoveredAfter is not null, () => $"{load}; {pool.GetStatistics()}");
                    var recovered = load.RecoveredAfter!.Value;
                    recoveries.Add(recovered);
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"outage {outage + 1}: {(fakeAtRestart - stoppedAt).TotalSeconds:F1} s (fake), {before.ConsecutiveCreateFailures} failed probes; "
                        + $"stand-in listening after {listening.TotalMilliseconds:F0} ms, first call served {recovered.TotalMilliseconds:F0} ms later "
                        + $"({(pump.Time.GetUtcNow() - fakeAtRestart).TotalMilliseconds:F0} ms fake)"));
                }

                await load.WaitForSuccessesAsync(200);
            }
        }

        await Waits.UntilAsync(() => pool.GetStatistics().Destroying == 0, () => "destroys still running");
        var stats = pool.GetStatistics();
        output.WriteLine($"{load}; peaks: pool Total {sampler.PeakTotal}, live clients {sampler.PeakLiveClients}, server {standIn.PeakOpenConnections}; {stats}");
        Assert.Empty(load.Unexpected);
        Assert.Empty(load.WrongInnerErrors);
        Assert.All(recoveries, r => Assert.True(r < RecoveryLimit, $"recovered after {r.TotalMilliseconds:F0} ms"));

        // Max size held and the counters match reality through the outages and recoveries.
        MaxSizeHeld.Throughout(standIn, sampler, maxSize);
        Assert.Equal(pool.Factory.Created, stats.Created);
        Assert.Equal(pool.Factory.Destroyed, stats.Destroyed);
        Assert.True(stats.Destroyed >= Outages, $"only {stats.Destroyed} clients evicted over {Outages} outages");
        await QuietPoint.AssertCountsMatchAsync(pool, standIn, stats.Total);
    }

    [Fact]
    public async Task While_Qdrant_hangs_creates_never_exceed_MaxConcurrentCreates_and_then_one_probe_at_a_time()
    {
        await using var standIn = await QdrantStandIn.StartAsync();
        standIn.Faults.Hang = true; // Connections are accepted; every health probe hangs until its deadline.
        await using var pool = new QdrantClientPool(new QdrantPoolOptions
        {
            Address = standIn.Address,
            ConnectTimeout = TimeSpan.FromMilliseconds(150),
            HealthCheckTimeout = TimeSpan.FromMilliseconds(150),
            Pool = { MaxSize = MaxSize },
        });
        int cap = pool.GetStatistics().MaxConcurrentCreates;

        PeakSampler sampler;
        OutageLoad load;
        var clock = Stopwatch.StartNew();
        await using (sampler = new PeakSampler(pool, standIn))
        {
            await using (load = new OutageLoad(pool, Workers, Points))
            {
                await Waits.UntilAsync(() => pool.GetStatistics().CreateFailures >= 5, () => $"{load}; {pool.GetStatistics()}");
            }
        }

        var elapsed = clock.Elapsed;
        var stats = pool.GetStatistics();
        long probes = standIn.CallCount("qdrant.Qdrant/HealthCheck");
        output.WriteLine($"{load} in {elapsed.TotalMilliseconds:F0} ms; creates failed {stats.CreateFailures}, health probes {probes}, "
            + $"connections accepted {standIn.AcceptedConnections}; peaks: creating {sampler.PeakCreating}, server calls {standIn.PeakCallsInFlight}, "
            + $"server connections {standIn.PeakOpenConnections}; {stats}");
        Assert.Empty(load.Unexpected);
        Assert.Equal(2, cap);
        Assert.InRange(sampler.PeakCreating, 1, cap);
        Assert.InRange(standIn.PeakCallsInFlight, 1, cap);
        Assert.InRange(standIn.PeakOpenConnections, 1, cap);

        // One connection and one probe per create: 64 callers never became 64 connect attempts.
        Assert.InRange(probes, stats.CreateFailures, stats.CreateFailures + stats.Creating);
        Assert.InRange(standIn.AcceptedConnections, stats.CreateFailures, stats.CreateFailures + stats.Creating);
        Assert.True(load.FastFailures > 10 * probes, $"{load.FastFailures} fast failures for {probes} probes");
    }

    [Fact]
    public async Task While_Qdrant_refuses_connections_connect_attempts_stay_bounded_by_the_backoff()
    {
        await using var grid = await GridStandIn.StartAsync(DefaultOptionsPool, Points);
        var (standIn, pool) = grid;
        var options = new ConnectionPoolOptions();

        OutageLoad load;
        await using (load = new OutageLoad(pool, Workers, Points))
        {
            await load.WaitForSuccessesAsync(200);
            standIn.Faults.RefuseConnections = true;
            long refusedBefore = standIn.RefusedConnections;
            long failuresBefore = pool.GetStatistics().CreateFailures;
            var clock = Stopwatch.StartNew();
            standIn.KillConnections();
            await Waits.UntilAsync(() => clock.Elapsed >= TimeSpan.FromSeconds(1) || !load.Unexpected.IsEmpty, () => "the clock stopped");
            long refused = standIn.RefusedConnections - refusedBefore;
            long creates = pool.GetStatistics().CreateFailures - failuresBefore;
            var elapsed = clock.Elapsed;

            // Before the window: FailFastAfter failures from at most MaxConcurrentCreates at once;
            // then one probe at a time, each at least BackoffInitial after the last failure.
            long bound = options.FailFastAfter + options.MaxConcurrentCreates + (long)Math.Ceiling(elapsed / options.BackoffInitial);
            output.WriteLine($"{load}; in {elapsed.TotalMilliseconds:F0} ms: {creates} creates failed (bound {bound}), {refused} connections refused; {pool.GetStatistics()}");
            Assert.InRange(creates, options.FailFastAfter, bound);
            // A create may dial twice (the HTTP handler retries a connection reset before any answer),
            // and each of the MaxSize clients whose connection was killed may redial once if validated.
            Assert.InRange(refused, 1, (2 * (creates + options.MaxConcurrentCreates)) + MaxSize);
            standIn.Faults.RefuseConnections = false;
            await load.WaitForSuccessesAsync(100);
        }

        Assert.Empty(load.Unexpected);
        await Waits.UntilAsync(() => pool.GetStatistics().Destroying == 0, () => "destroys still running");
        await QuietPoint.AssertCountsMatchAsync(pool, standIn, pool.GetStatistics().Total);
    }

    /// <summary>A pool with the binding's default options but MaxSize.</summary>
    private static QdrantClientPool DefaultOptionsPool(QdrantStandIn standIn) =>
        new(new QdrantPoolOptions { Address = standIn.Address, Pool = { MaxSize = MaxSize } });

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
}
