using Grpc.Core;
using Pool.Demo.Checks;
using Pool.Demo.CommandLine;
using Pool.Demo.Faults;
using Pool.Demo.Load;
using Pool.Demo.Views;
using Pool.Qdrant;
using Pool.Qdrant.Testing;

namespace Pool.Demo;

/// <summary>
/// One run, demo or soak: start the stand-in (or use a real Qdrant), set up the collection, run the
/// workers, the invariant monitor and the faults (restarts on a schedule, or the chaos monkey) while
/// a view shows it, then stop everything in order and run the end checks.
/// </summary>
internal static class Session
{
    public static async Task<RunResult> RunAsync(RunSettings settings, IView view)
    {
        await using var standIn = settings.Qdrant is null ? await QdrantStandIn.StartAsync() : null;
        var address = settings.Qdrant ?? standIn!.Address;
        string? apiKey = settings.Qdrant is not null && Environment.GetEnvironmentVariable("QDRANT_API_KEY") is { Length: > 0 } key ? key : null;
        var pool = new QdrantClientPool(settings.PoolOptions(address, apiKey));
        var rig = new Rig(settings, pool, standIn, new Workload(standIn is null ? $"pool-demo-{Guid.NewGuid():N}" : "demo"));
        try
        {
            await rig.Workload.SetUpAsync(pool);
        }
        catch (Exception e) when (e is RpcException or ConnectionCreateException or PoolUnavailableException or PoolExhaustedException)
        {
            string shown = address.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped); // no user info on the console
            rig.Violations.Add($"Qdrant at {shown} could not be used: {e.GetType().Name}: {e.Message}");
            await pool.DisposeAsync();
            return new RunResult(rig, Quiet: null, AfterDispose: null);
        }

        if (standIn is not null)
        {
            settings.PrepareStandIn?.Invoke(standIn);
            standIn.ResetPeakOpenConnections();
        }

        rig.Baseline = pool.GetStatistics();
        rig.Clock.Restart();

        using var stopLoad = new CancellationTokenSource();
        using var stopFaults = new CancellationTokenSource();
        using var stopMonitor = new CancellationTokenSource();
        var monitor = Task.Run(() => InvariantMonitor.RunAsync(rig, stopMonitor.Token), CancellationToken.None);
        var faults = StartFaults(rig, stopFaults.Token);
        var workers = Task.WhenAll(Enumerable.Range(0, settings.Workers)
            .Select(w => Task.Run(() => new Worker(rig, w).RunAsync(stopLoad.Token), CancellationToken.None)));
        await view.ShowAsync(new Dashboard(rig), settings.Duration);

        // Faults first (every fault off, the stand-in up), then the load; each call in flight ends on its own.
        view.Note("Load stopped; waiting for the calls in flight, then checking the pool at a quiet point and after dispose...");
        await stopFaults.CancelAsync();
        await faults;
        await stopLoad.CancelAsync();
        bool finished = await LoadChecks.WorkersFinishedAsync(rig, workers);
        await LoadChecks.AccountingAsync(rig, finished);
        LoadChecks.Counters(rig);
        CheckRecoveries(rig);

        await QuietChecks.SettleAsync(rig);
        await stopMonitor.CancelAsync();
        await monitor;
        var quiet = await QuietChecks.QuietAsync(rig);
        var atQuiet = new QuietCounts(quiet.Total, pool.Factory.LiveClients, standIn?.OpenConnections);
        if (standIn is null)
        {
            await DeleteCollectionAsync(rig, view);
        }

        var afterDispose = await QuietChecks.DisposedAsync(rig);
        return new RunResult(rig, atQuiet, afterDispose);
    }

    private static Task StartFaults(Rig rig, CancellationToken stop)
    {
        if (rig.StandIn is not { } standIn)
        {
            return Task.CompletedTask;
        }

        if (rig.Settings.Chaos)
        {
            rig.Monkey = new ChaosMonkey(rig, standIn);
            return Task.Run(() => rig.Monkey.RunAsync(stop), CancellationToken.None);
        }

        return Task.Run(() => RestartSchedule.RunAsync(rig, standIn, stop), CancellationToken.None);
    }

    /// <summary>
    /// Every restart followed by at least <see cref="RestartSchedule.RecoveryShown"/> of uptime (the last one
    /// always is) must have seen a call succeed. A shorter gap (a short --restart-every) is not judged: the
    /// pool's probe may still be in its backoff (up to BackoffMax) when the next restart begins. Chaos is not judged.
    /// </summary>
    private static void CheckRecoveries(Rig rig)
    {
        if (rig.Settings.Chaos)
        {
            return;
        }

        var restarts = rig.Timeline.Restarts;
        foreach (int i in RestartSchedule.Unrecovered(restarts, rig.Settings.Duration))
        {
            rig.Violations.Add($"L7 Fast-fail window with one probe violated: no call succeeded after restart {i + 1} ({restarts[i]}).");
        }
    }

    private static async Task DeleteCollectionAsync(Rig rig, IView view)
    {
        try
        {
            await rig.Workload.TearDownAsync(rig.Pool);
        }
        catch (Exception e) when (e is RpcException or ConnectionCreateException or PoolUnavailableException or PoolExhaustedException)
        {
            view.Note($"Could not delete the collection {rig.Workload.Collection}: {e.Message}");
        }
    }
}

/// <summary>The three counts that must agree at the quiet point (and be 0 after dispose); the server's is null for a real Qdrant.</summary>
internal sealed record QuietCounts(int PoolTotal, int LiveClients, int? ServerConnections);

/// <summary>A finished run: everything it recorded, and its verdict.</summary>
internal sealed record RunResult(Rig Rig, QuietCounts? Quiet, QuietCounts? AfterDispose)
{
    public int ExitCode => Rig.Violations.Count == 0 ? 0 : 1;
}
