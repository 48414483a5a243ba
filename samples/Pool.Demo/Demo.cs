using System.Globalization;
using Grpc.Core;
using Pool.Internal;
using Pool.Qdrant;
using Pool.Qdrant.Testing;
using Qdrant.Client.Grpc;

namespace Pool.Demo;

/// <summary>One run: load through the pool, an outage of the stand-in in the middle, checks and a report.</summary>
internal static class Demo
{
    private const int Dimensions = 8;
    private const int SeededPoints = 1_000;  // ids 0..999, queried; their vectors never change
    private const int UpsertedPoints = 1_000; // ids 1000..1999, overwritten by the workers
    private static readonly TimeSpan QuietTimeout = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(DemoOptions options)
    {
        await using var standIn = options.Qdrant is null ? await QdrantStandIn.StartAsync() : null;
        var address = options.Qdrant ?? standIn!.Address;
        var poolOptions = new QdrantPoolOptions
        {
            Address = address,
            ApiKey = options.Qdrant is not null && Environment.GetEnvironmentVariable("QDRANT_API_KEY") is { Length: > 0 } key ? key : null,
            Pool = { Name = "demo", MaxSize = options.MaxSize }, // in place: the binding's other defaults stay
        };
        var outage = standIn is null ? TimeSpan.Zero : TimeSpan.FromSeconds(Math.Min(3, 0.3 * options.Duration.TotalSeconds));
        string target = standIn is null ? Shown(address) + ", no restart staged" : string.Create(CultureInfo.InvariantCulture,
            $"in-process stand-in at {address}, down for {outage.TotalSeconds:F1} s in the middle");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Qdrant: {target}; {options.Workers} workers, MaxSize {options.MaxSize}, {options.Duration.TotalSeconds:F0} s"));

        var problems = new List<string>();
        var pool = new QdrantClientPool(poolOptions);
        string collection = standIn is null ? $"pool-demo-{Guid.NewGuid():N}" : "demo";
        var tally = new Tally();
        var peaks = new Peaks();
        try
        {
            await pool.RunAsync((c, ct) => c.CreateCollectionAsync(collection, new VectorParams { Size = Dimensions, Distance = Distance.Cosine }, cancellationToken: ct));
            var seed = Enumerable.Range(0, SeededPoints).Select(i => new PointStruct { Id = (ulong)i, Vectors = VectorOf(i) }).ToList();
            await pool.RunAsync((c, ct) => c.UpsertAsync(collection, seed, wait: true, cancellationToken: ct));
            standIn?.ResetPeakOpenConnections();
            tally.Start();

            using var stop = new CancellationTokenSource();
            var sampler = Task.Run(() => peaks.SampleAsync(pool, standIn, problems, stop.Token));
            var workers = Enumerable.Range(0, options.Workers).Select(w => Task.Run(() => WorkAsync(pool, collection, w, tally, stop.Token))).ToArray();
            var restart = standIn is null ? Task.CompletedTask : Task.Run(() => RestartAsync(standIn, tally, (options.Duration - outage) / 2, outage));
            await ReportProgressAsync(pool, standIn, tally, options.Duration, problems);

            await stop.CancelAsync();
            await Task.WhenAll(workers);
            await restart;
            await sampler;
            await CheckQuietPointAsync(pool, standIn, options.MaxSize, peaks, problems);
            Report(options, outage, tally, pool.GetStatistics(), peaks, standIn);
        }
        catch (Exception e) when (e is RpcException or ConnectionCreateException or PoolUnavailableException or PoolExhaustedException)
        {
            problems.Add($"Qdrant at {Shown(address)} could not be used: {e.GetType().Name}: {e.Message}");
        }
        finally
        {
            if (standIn is null)
            {
                await DeleteCollectionAsync(pool, collection);
            }

            await pool.DisposeAsync();
        }

        await CheckDisposedAsync(pool, standIn, problems);
        if (tally.Unexpected.TryPeek(out var unexpected))
        {
            problems.Add($"{tally.Unexpected.Count} unexpected errors, the first: {unexpected}");
        }

        if (tally.WrongAnswers > 0)
        {
            problems.Add($"{tally.WrongAnswers} queries did not find the point they queried for");
        }

        if (tally.UpAt is not null && tally.RecoveredAt is null)
        {
            problems.Add("no call succeeded after Qdrant came back");
        }

        Console.WriteLine($"{"invariants",-34}{(problems.Count == 0 ? "held" : "BROKEN")}");
        foreach (var problem in problems.Distinct())
        {
            Console.Error.WriteLine("PROBLEM: " + problem);
        }

        return problems.Count == 0 ? 0 : 1;
    }

    /// <summary>The address without user info, so no password reaches the console.</summary>
    private static string Shown(Uri address) => address.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped);

    /// <summary>A fixed direction per id, so a query for point k's vector must find k first (Cosine score 1).</summary>
    private static float[] VectorOf(int id) =>
        [.. Enumerable.Range(0, Dimensions).Select(j => (float)Math.Sin((id + 1) * (j + 1) * 0.7 + j))];

    private static async Task WorkAsync(QdrantClientPool pool, string collection, int worker, Tally tally, CancellationToken stop)
    {
        var random = new Random(worker);
        while (!stop.IsCancellationRequested)
        {
            bool upsert = random.Next(2) == 0;
            try
            {
                if (upsert)
                {
                    var point = new PointStruct
                    {
                        Id = (ulong)(SeededPoints + random.Next(UpsertedPoints)),
                        Vectors = Enumerable.Range(0, Dimensions).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray(),
                    };
                    await pool.RunAsync((c, ct) => c.UpsertAsync(collection, [point], wait: true, cancellationToken: ct), stop);
                }
                else
                {
                    int k = random.Next(SeededPoints);
                    var found = await pool.RunAsync((c, ct) => c.QueryAsync(collection, VectorOf(k), limit: 1, cancellationToken: ct), stop);
                    if (found.Count == 0 || found[0].Id.Num != (ulong)k)
                    {
                        tally.WrongAnswer();
                    }
                }

                tally.Succeeded(upsert);
                continue;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && stop.IsCancellationRequested)
            {
                return;
            }
            catch (PoolUnavailableException)
            {
                tally.FailedFast();
            }
            catch (ConnectionCreateException)
            {
                tally.CreateFailed();
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.Internal or StatusCode.Unknown or StatusCode.DeadlineExceeded)
            {
                tally.CallFailed();
            }
            catch (PoolExhaustedException)
            {
                tally.TimedOut();
            }
            catch (Exception e)
            {
                tally.Unexpected.Enqueue(e);
            }

            // The app's own pause before it tries again; the pool itself never spins.
            await Task.Delay(10, CancellationToken.None);
        }
    }

    private static async Task RestartAsync(QdrantStandIn standIn, Tally tally, TimeSpan downAfter, TimeSpan outage)
    {
        await Task.Delay(downAfter);
        tally.MarkDown();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{tally.Elapsed.TotalSeconds,5:F1}s] --- stand-in stopped (crash: connections aborted, port closed)"));
        await standIn.OutageAsync(outage);
        tally.MarkUp();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{tally.Elapsed.TotalSeconds,5:F1}s] --- stand-in listening again on the same port"));
    }

    private static async Task ReportProgressAsync(QdrantClientPool pool, QdrantStandIn? standIn, Tally tally, TimeSpan duration, List<string> problems)
    {
        using var ticks = new PeriodicTimer(TimeSpan.FromSeconds(1));
        using var over = new CancellationTokenSource(duration - tally.Elapsed);
        long lastCalls = 0;
        while (await NextTickAsync(ticks, over.Token))
        {
            lastCalls = PrintProgress(pool, standIn, tally, lastCalls, problems);
        }

        PrintProgress(pool, standIn, tally, lastCalls, problems); // the run's last moment
    }

    private static long PrintProgress(QdrantClientPool pool, QdrantStandIn? standIn, Tally tally, long lastCalls, List<string> problems)
    {
        var s = pool.GetStatistics();
        if (PoolInvariants.FindViolation(s) is { } violation)
        {
            lock (problems)
            {
                problems.Add($"at {tally.Elapsed.TotalSeconds:F1} s: {violation}");
            }
        }

        long calls = tally.Calls;
        string server = standIn is null ? string.Empty : $" | server {(standIn.IsRunning ? "up" : "DOWN")}, {standIn.OpenConnections} conns";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"[{tally.Elapsed.TotalSeconds,5:F1}s] calls {calls,8} (+{calls - lastCalls,6}) failures {tally.Failures,7} | pool idle {s.Idle,2} used {s.InUse,2} "
            + $"creating {s.Creating} waiters {s.Waiters,3} | fast-fail {(s.IsUnavailable ? "OPEN  " : "closed")} ({s.FailedFast} so far){server}"));
        return calls;
    }

    private static async Task<bool> NextTickAsync(PeriodicTimer ticks, CancellationToken over)
    {
        try
        {
            return await ticks.WaitForNextTickAsync(over);
        }
        catch (OperationCanceledException) when (over.IsCancellationRequested)
        {
            return false; // the run is over
        }
    }

    /// <summary>With no call running: pool Total == clients alive == connections the server sees, and peaks within MaxSize.</summary>
    private static async Task CheckQuietPointAsync(QdrantClientPool pool, QdrantStandIn? standIn, int maxSize, Peaks peaks, List<string> problems)
    {
        var deadline = DateTime.UtcNow + QuietTimeout;
        PoolStatistics s;
        while (true)
        {
            s = pool.GetStatistics();
            bool quiet = s is { InUse: 0, Creating: 0, Destroying: 0 } && (standIn is null || standIn.OpenConnections == s.Total);
            if (quiet || DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(10); // polls for the server to finish closing connections
        }

        if (PoolInvariants.FindViolation(s) is { } violation)
        {
            problems.Add("at the end: " + violation);
        }

        if (s.InUse != 0 || s.Creating != 0 || s.Destroying != 0)
        {
            problems.Add($"not quiet {QuietTimeout.TotalSeconds:F0} s after the load stopped: {s}");
        }

        if (s.Total != pool.Factory.LiveClients || s.Live != pool.Factory.LiveClients)
        {
            problems.Add($"pool Total {s.Total} (live {s.Live}) but {pool.Factory.LiveClients} clients alive");
        }

        if (s.Created != pool.Factory.Created || s.Destroyed != pool.Factory.Destroyed)
        {
            problems.Add($"pool counted {s.Created} created and {s.Destroyed} destroyed, the factory {pool.Factory.Created} and {pool.Factory.Destroyed}");
        }

        if (standIn is not null && standIn.OpenConnections != s.Total)
        {
            problems.Add($"pool Total {s.Total} but the server sees {standIn.OpenConnections} connections");
        }

        int serverPeak = standIn?.PeakOpenConnections ?? 0;
        if (peaks.Total > maxSize || peaks.LiveClients > maxSize || serverPeak > maxSize)
        {
            problems.Add($"I1 Capacity: peaks pool Total {peaks.Total}, clients {peaks.LiveClients}, server {serverPeak} > MaxSize {maxSize}");
        }
    }

    private static async Task CheckDisposedAsync(QdrantClientPool pool, QdrantStandIn? standIn, List<string> problems)
    {
        var s = pool.GetStatistics();
        if (s.Total != 0 || pool.Factory.LiveClients != 0 || s.Created != s.Destroyed)
        {
            problems.Add($"after dispose: pool Total {s.Total}, {pool.Factory.LiveClients} clients alive, {s.Created} created, {s.Destroyed} destroyed");
        }

        var deadline = DateTime.UtcNow + QuietTimeout;
        while (standIn is not null && standIn.OpenConnections != 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10); // polls for the server to see the last connections close
        }

        if (standIn is not null && standIn.OpenConnections != 0)
        {
            problems.Add($"after dispose the server still sees {standIn.OpenConnections} connections");
        }
    }

    private static void Report(DemoOptions options, TimeSpan outage, Tally tally, PoolStatistics s, Peaks peaks, QdrantStandIn? standIn)
    {
        static void Row(string name, string value) => Console.WriteLine($"{name,-34}{value}");
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine();
        Row("workers / MaxSize", $"{options.Workers} / {options.MaxSize}");
        Row("calls", string.Create(inv, $"{tally.Calls} ({tally.Upserts} upserts, {tally.Queries} queries; {tally.Calls / Math.Max(1, tally.Elapsed.TotalSeconds):F0}/s)"));
        Row("failures", $"{tally.Failures} ({tally.FailuresDuringOutage} during the outage, {tally.FailuresOutsideOutage} outside it)");
        Row("  failed fast (pool unavailable)", $"{tally.FastFailures} (pool counted {s.FailedFast})");
        Row("  create failed / call failed", $"{tally.CreateFailures} / {tally.CallFailures}");
        Row("  acquire timed out", $"{tally.Timeouts}");
        if (tally.DownAt is { } down && tally.UpAt is { } up)
        {
            Row("outage", string.Create(inv, $"{(up - down) / 1000.0:F1} s (down at {down / 1000.0:F1} s, up at {up / 1000.0:F1} s)"));
            Row("time to recover", tally.RecoveredAt is { } recovered ? $"{recovered - up} ms after the server listened again" : "NEVER");
        }
        else if (outage > TimeSpan.Zero)
        {
            Row("outage", "not staged (the run ended first)");
        }

        Row("connections created / destroyed", $"{s.Created} / {s.Destroyed} ({s.CreateFailures} creates failed)");
        Row("peak connections, pool-side", $"{peaks.Total} (pool Total), {peaks.LiveClients} (clients alive)");
        Row("peak connections, server-side", standIn is null ? "n/a (real Qdrant)" : $"{standIn.PeakOpenConnections} ({standIn.AcceptedConnections} accepted in all)");
        Row("at the end", $"pool Total {s.Total} = clients alive {s.Live}" + (standIn is null ? string.Empty : $" = server connections {standIn.OpenConnections}"));
    }

    private static async Task DeleteCollectionAsync(QdrantClientPool pool, string collection)
    {
        try
        {
            await pool.RunAsync((c, ct) => c.DeleteCollectionAsync(collection, cancellationToken: ct));
        }
        catch (Exception e) when (e is RpcException or ConnectionCreateException or PoolUnavailableException or PoolExhaustedException)
        {
            Console.Error.WriteLine($"could not delete the collection {collection}: {e.Message}");
        }
    }

    /// <summary>Peaks sampled every few milliseconds, and a FindViolation check on every sample.</summary>
    private sealed class Peaks
    {
        public int Total { get; private set; }

        public int LiveClients { get; private set; }

        public async Task SampleAsync(QdrantClientPool pool, QdrantStandIn? standIn, List<string> problems, CancellationToken stop)
        {
            while (!stop.IsCancellationRequested)
            {
                var s = pool.GetStatistics();
                Total = Math.Max(Total, s.Total);
                LiveClients = Math.Max(LiveClients, pool.Factory.LiveClients);
                if (PoolInvariants.FindViolation(s) is { } violation)
                {
                    lock (problems)
                    {
                        problems.Add(violation);
                    }
                }

                await Task.Delay(5, CancellationToken.None); // a sampling period
            }
        }
    }
}
