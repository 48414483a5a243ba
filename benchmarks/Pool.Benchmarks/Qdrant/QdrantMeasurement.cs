using System.Diagnostics;
using Grpc.Core;
using Pool.Benchmarks.Measurements;
using Pool.Qdrant;
using Pool.Qdrant.Testing;
using Qdrant.Client;

namespace Pool.Benchmarks.Qdrant;

/// <summary>
/// The drop-in pooled <see cref="QdrantClient"/> against a singleton <see cref="QdrantClient"/> (one
/// channel, Qdrant.Client's own defaults), in one run, on the in-process stand-in over loopback:
/// throughput and p99 under 64 callers at 5 ms a call, how calls spread over the pool's channels, one
/// black-holed connection, Qdrant's own error answers on 10% of calls, and recovery after an outage.
/// </summary>
internal static class QdrantMeasurement
{
    public const int Callers = 64;
    private static readonly TimeSpan CallLatency = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan CallDeadline = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan ReplacementWait = TimeSpan.FromSeconds(10);

    public static async Task<QdrantFigures> RunAsync(bool quick, bool fullOutage, TextWriter log)
    {
        var load = quick ? TimeSpan.FromSeconds(3) : TimeSpan.FromSeconds(10);
        var blackHole = quick ? TimeSpan.FromSeconds(4) : TimeSpan.FromSeconds(10);
        var errors = quick ? TimeSpan.FromSeconds(3) : TimeSpan.FromSeconds(10);
        var outage = fullOutage ? TimeSpan.FromSeconds(30) : TimeSpan.FromSeconds(3);

        var (singletonLoad, _) = await LoadAsync("singleton QdrantClient", load, singleton: true, log).ConfigureAwait(false);
        var (pooledLoad, spread) = await LoadAsync("pooled drop-in QdrantClient", load, singleton: false, log).ConfigureAwait(false);
        var singletonHole = await BlackHoleAsync("singleton QdrantClient", blackHole, singleton: true, log).ConfigureAwait(false);
        var pooledHole = await BlackHoleAsync("pooled drop-in QdrantClient", blackHole, singleton: false, log).ConfigureAwait(false);
        var answered = await ServerErrorsAsync(errors, log).ConfigureAwait(false);
        var recovery = await OutageAsync(outage, log).ConfigureAwait(false);
        return new QdrantFigures(Callers, CallLatency, load, [singletonLoad, pooledLoad], spread, [singletonHole, pooledHole], blackHole, CallDeadline, answered, errors, recovery);
    }

    private static QdrantClientPool Pooled(QdrantStandIn standIn) =>
        new(new QdrantPoolOptions { Address = standIn.Address, GrpcTimeout = CallDeadline });

    private static QdrantClient Singleton(QdrantStandIn standIn) =>
        new(standIn.Address.Host, standIn.Port, https: false, apiKey: null, grpcTimeout: CallDeadline);

    private static async Task<(LoadFigures, IReadOnlyList<long>)> LoadAsync(string name, TimeSpan duration, bool singleton, TextWriter log)
    {
        var standIn = await QdrantStandIn.StartAsync().ConfigureAwait(false);
        var pool = singleton ? null : Pooled(standIn);
        var own = singleton ? Singleton(standIn) : null;
        try
        {
            return await LoadAsync(name, duration, standIn, pool, own ?? pool!.Client, log).ConfigureAwait(false);
        }
        finally
        {
            own?.Dispose();
            await DisposeAsync(pool, standIn).ConfigureAwait(false);
        }
    }

    private static async Task<(LoadFigures, IReadOnlyList<long>)> LoadAsync(string name, TimeSpan duration, QdrantStandIn standIn, QdrantClientPool? pool, QdrantClient client, TextWriter log)
    {
        standIn.Faults.SpareHealthCheck = true;
        await WarmAsync(client).ConfigureAwait(false);
        if (pool is not null)
        {
            await pool.Pool.WarmUpAsync().ConfigureAwait(false);
        }

        standIn.Faults.Latency = CallLatency;
        standIn.ResetCallsPerConnection();
        var result = await ClosedLoop.RunAsync(Callers, duration, ct => client.ListCollectionsAsync(ct)).ConfigureAwait(false);
        var figures = new LoadFigures(
            name,
            result.CallsPerSecond,
            Percentiles.Milliseconds(result.SortedTicks, 0.50),
            Percentiles.Milliseconds(result.SortedTicks, 0.99),
            standIn.OpenConnections);
        var spread = standIn.CallsPerConnection().Order().ToList();
        log.WriteLine($"  load, {name}: {figures.CallsPerSecond:F0} calls/s, p50 {figures.P50Ms:F1} ms, p99 {figures.P99Ms:F1} ms, {figures.ServerConnections} connections, {result.Failed} failed; calls per connection {string.Join(", ", spread)}");
        return (figures, spread);
    }

    private static async Task<BlackHoleFigures> BlackHoleAsync(string name, TimeSpan duration, bool singleton, TextWriter log)
    {
        var standIn = await QdrantStandIn.StartAsync().ConfigureAwait(false);
        var pool = singleton ? null : Pooled(standIn);
        var own = singleton ? Singleton(standIn) : null;
        try
        {
            return await BlackHoleAsync(name, duration, standIn, pool, own ?? pool!.Client, log).ConfigureAwait(false);
        }
        finally
        {
            own?.Dispose();
            await DisposeAsync(pool, standIn).ConfigureAwait(false);
        }
    }

    private static async Task<BlackHoleFigures> BlackHoleAsync(string name, TimeSpan duration, QdrantStandIn standIn, QdrantClientPool? pool, QdrantClient client, TextWriter log)
    {
        await WarmAsync(client).ConfigureAwait(false);
        if (pool is not null)
        {
            await pool.Pool.WarmUpAsync().ConfigureAwait(false);
        }

        standIn.Faults.Latency = CallLatency;
        int open = standIn.OpenConnections;
        int holes = standIn.HangConnections(1);
        var clock = Stopwatch.StartNew();
        double? replacedAfter = null;
        using var watch = new CancellationTokenSource();
        var watcher = pool is null ? Task.CompletedTask : Task.Run(async () =>
        {
            while (!watch.IsCancellationRequested && pool.GetStatistics().DestroyedInvalidated == 0)
            {
                await Task.Delay(10).ConfigureAwait(false);
            }

            if (!watch.IsCancellationRequested)
            {
                replacedAfter = clock.Elapsed.TotalSeconds;
            }
        });
        var result = await ClosedLoop.RunAsync(Callers, duration, ct => client.ListCollectionsAsync(ct)).ConfigureAwait(false);

        // The channel goes once a deadline (2 s) and the probe after it (HealthCheckTimeout, 5 s by
        // default) have failed and its last hung call has ended: give that time to finish after the load.
        watch.CancelAfter(ReplacementWait);
        await watcher.ConfigureAwait(false);
        long replaced = pool?.GetStatistics().DestroyedInvalidated ?? 0;
        var figures = new BlackHoleFigures(name, result.Succeeded, result.Failed, result.SuccessShare, replaced, replacedAfter);
        log.WriteLine($"  black hole ({holes} of {open} connections), {name}: {result.Succeeded} ok, {result.Failed} failed ({Describe(result.Failures)}), {figures.SuccessShare:P2} ok; channels replaced {replaced}{(replacedAfter is { } s ? $" after {s:F2} s" : "")}");
        return figures;
    }

    private static async Task<ServerErrorFigures> ServerErrorsAsync(TimeSpan duration, TextWriter log)
    {
        var standIn = await QdrantStandIn.StartAsync().ConfigureAwait(false);
        var pool = Pooled(standIn);
        try
        {
            return await ServerErrorsAsync(duration, standIn, pool, log).ConfigureAwait(false);
        }
        finally
        {
            await DisposeAsync(pool, standIn).ConfigureAwait(false);
        }
    }

    private static async Task<ServerErrorFigures> ServerErrorsAsync(TimeSpan duration, QdrantStandIn standIn, QdrantClientPool pool, TextWriter log)
    {
        await WarmAsync(pool.Client).ConfigureAwait(false);
        await pool.Pool.WarmUpAsync().ConfigureAwait(false);
        long accepted = standIn.AcceptedConnections;
        standIn.Faults.Latency = CallLatency;
        standIn.Faults.SpareHealthCheck = true;
        standIn.Faults.ServerErrorProbability = 0.1;
        long calls = 0, answered = 0;
        foreach (var code in new[] { StatusCode.Unavailable, StatusCode.Internal })
        {
            standIn.Faults.ServerError = code;
            var result = await ClosedLoop.RunAsync(Callers, duration / 2, ct => pool.Client.ListCollectionsAsync(ct)).ConfigureAwait(false);
            calls += result.Succeeded + result.Failed;
            answered += result.Failures.GetValueOrDefault(code);
        }

        var figures = new ServerErrorFigures(calls, answered, pool.GetStatistics().Destroyed, standIn.AcceptedConnections - accepted);
        log.WriteLine($"  server errors (10% Unavailable, then Internal): {calls} calls, {answered} answered with an error, {figures.ChannelsEvicted} channels evicted, {figures.Reconnects} reconnects");
        return figures;
    }

    private static async Task<OutageFigures> OutageAsync(TimeSpan outage, TextWriter log)
    {
        var standIn = await QdrantStandIn.StartAsync().ConfigureAwait(false);
        var pool = Pooled(standIn);
        using var singleton = Singleton(standIn);
        try
        {
            return await OutageAsync(outage, standIn, pool, singleton, log).ConfigureAwait(false);
        }
        finally
        {
            await DisposeAsync(pool, standIn).ConfigureAwait(false);
        }
    }

    private static async Task<OutageFigures> OutageAsync(TimeSpan outage, QdrantStandIn standIn, QdrantClientPool pool, QdrantClient singleton, TextWriter log)
    {
        var wait = outage + TimeSpan.FromSeconds(60);
        await WarmAsync(singleton).ConfigureAwait(false);
        await WarmAsync(pool.Client).ConfigureAwait(false);

        using var stop = new CancellationTokenSource();
        long backAt = 0;
        var singletonBack = FirstSuccessAfterAsync(singleton, () => Volatile.Read(ref backAt), stop.Token);
        var pooledBack = FirstSuccessAfterAsync(pool.Client, () => Volatile.Read(ref backAt), stop.Token);
        await standIn.StopAsync().ConfigureAwait(false);
        await Task.Delay(outage).ConfigureAwait(false);
        await standIn.StartAsync().ConfigureAwait(false);
        Volatile.Write(ref backAt, Stopwatch.GetTimestamp());
        stop.CancelAfter(wait);
        var figures = new OutageFigures(outage, wait, await singletonBack.ConfigureAwait(false), await pooledBack.ConfigureAwait(false));
        log.WriteLine($"  outage of {outage.TotalSeconds:F0} s: served again after {Show(figures.SingletonSeconds)} (singleton), {Show(figures.PooledSeconds)} (pooled)");
        return figures;
    }

    /// <summary>Four callers calling until one succeeds after Qdrant is back; the seconds from its return to that success.</summary>
    private static async Task<double?> FirstSuccessAfterAsync(QdrantClient client, Func<long> backAt, CancellationToken stop)
    {
        using var found = CancellationTokenSource.CreateLinkedTokenSource(stop);
        double? first = null;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!found.IsCancellationRequested)
            {
                try
                {
                    await client.ListCollectionsAsync(found.Token).ConfigureAwait(false);
                    long back = backAt();
                    if (back != 0)
                    {
                        first ??= Stopwatch.GetElapsedTime(back).TotalSeconds;
                        await found.CancelAsync().ConfigureAwait(false);
                    }
                }
                catch (RpcException)
                {
                    await Task.Delay(10, CancellationToken.None).ConfigureAwait(false);
                }
                catch (ObjectDisposedException)
                {
                    return;
                }
            }
        }))).ConfigureAwait(false);
        return first;
    }

    /// <summary>
    /// The first call connects and JIT-compiles the whole path; on a loaded machine that can take longer
    /// than the 2 s deadline, so it is retried (for up to 30 s) before anything is measured.
    /// </summary>
    private static async Task WarmAsync(QdrantClient client)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await client.HealthAsync().ConfigureAwait(false);
                return;
            }
            catch (RpcException) when (clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(100).ConfigureAwait(false);
            }
        }
    }

    private static async Task DisposeAsync(QdrantClientPool? pool, QdrantStandIn standIn)
    {
        if (pool is not null)
        {
            await pool.DisposeAsync().ConfigureAwait(false);
        }

        await standIn.DisposeAsync().ConfigureAwait(false);
    }

    private static string Show(double? seconds) => seconds is { } s ? $"{s:F2} s" : "not within the wait";

    private static string Describe(IReadOnlyDictionary<StatusCode, long> failures) =>
        failures.Count == 0 ? "none" : string.Join(", ", failures.Select(f => $"{f.Value} {f.Key}"));
}
