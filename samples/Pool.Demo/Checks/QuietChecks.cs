using System.Diagnostics;
using System.Globalization;
using Pool.Demo.CommandLine;
using Qdrant.Client;

namespace Pool.Demo.Checks;

/// <summary>
/// The checks at the end, with no call running: the pool serves again, its counts match reality on
/// both ends (pool Total = clients alive = connections the server sees), no peak passed MaxSize,
/// and after dispose everything is gone.
/// </summary>
internal static class QuietChecks
{
    private static readonly TimeSpan MinSettleTimeout = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// Leases every slot at once and makes a call on each, evicting clients whose call fails, until
    /// one round succeeds: idle clients whose connection a fault cut are reconnected (or replaced), so
    /// every client the pool holds has a live connection. A pool that cannot do this has not recovered.
    /// </summary>
    public static async Task SettleAsync(Rig rig)
    {
        if (rig.Pool.GetStatistics().InUse != 0)
        {
            return; // a lease is out for good (reported already): every slot can never be leased at once
        }

        var clock = Stopwatch.StartNew();
        string? last;
        int round = 0;
        do
        {
            round++;
            last = await SettleRoundAsync(rig, rig.Settings.QuietTimeout - clock.Elapsed);
            if (last is null)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
        while (clock.Elapsed < rig.Settings.QuietTimeout);

        rig.Violations.Add($"L7 Fast-fail window with one probe violated: {DurationText.Show(rig.Settings.QuietTimeout)} ({round} rounds) after the faults stopped, the pool still could not serve {rig.Settings.MaxSize} healthy clients at once; last: {last}");
    }

    /// <summary>Waits (bounded) for a quiet pool whose counts the server agrees with, then checks them.</summary>
    public static async Task<PoolStatistics> QuietAsync(Rig rig)
    {
        var pool = rig.Pool;
        var clock = Stopwatch.StartNew();
        PoolStatistics s;
        while (true)
        {
            s = pool.GetStatistics();
            bool quiet = s is { InUse: 0, Creating: 0, Destroying: 0, Waiters: 0, Abandoned: 0 }
                && s.Total == pool.Factory.LiveClients && (rig.StandIn is null || rig.StandIn.OpenConnections == s.Total);
            if (quiet || clock.Elapsed > rig.Settings.QuietTimeout)
            {
                break;
            }

            await Task.Delay(Poll);
        }

        rig.Violations.Check(s, "at the quiet point");
        string wait = DurationText.Show(rig.Settings.QuietTimeout);
        if (s.InUse != 0 || s.Creating != 0 || s.Destroying != 0 || s.Waiters != 0 || s.Abandoned != 0)
        {
            rig.Violations.Add($"Not quiet {wait} after the load stopped: InUse={s.InUse}, Creating={s.Creating}, Destroying={s.Destroying}, Waiters={s.Waiters}, Abandoned={s.Abandoned} (a lease never returned, or a create or destroy never ended).");
        }

        int live = pool.Factory.LiveClients;
        if (s.Total != live || s.Live != live)
        {
            rig.Violations.Add($"I3 Conservation across hand-off violated: pool Total {s.Total} (created − destroyed = {s.Live}) but {live} clients alive in the factory.");
        }

        if (s.Created != pool.Factory.Created || s.Destroyed != pool.Factory.Destroyed)
        {
            rig.Violations.Add($"I7 At most once violated: the pool counted {s.Created} created and {s.Destroyed} destroyed, the factory {pool.Factory.Created} and {pool.Factory.Destroyed}.");
        }

        if (rig.StandIn is { } standIn && standIn.OpenConnections != s.Total)
        {
            rig.Violations.Add($"I3 Conservation across hand-off violated: pool Total {s.Total} but the server sees {standIn.OpenConnections} connections, {wait} after the load stopped.");
        }

        int max = rig.Settings.MaxSize, serverPeak = rig.StandIn?.PeakOpenConnections ?? 0;
        if (rig.Peaks.Total > max || rig.Peaks.LiveClients > max || serverPeak > max)
        {
            rig.Violations.Add($"I1 Capacity violated: peaks pool Total {rig.Peaks.Total}, clients alive {rig.Peaks.LiveClients}, server connections {serverPeak}; MaxSize {max}.");
        }

        return s;
    }

    /// <summary>Disposes the pool, then: Total 0, no client alive, every created client destroyed, and (bounded wait) no connection at the server.</summary>
    /// <returns>The counts after dispose.</returns>
    public static async Task<QuietCounts> DisposedAsync(Rig rig)
    {
        await rig.Pool.DisposeAsync();
        var s = rig.Pool.GetStatistics();
        var clock = Stopwatch.StartNew();
        while (rig.StandIn is { OpenConnections: > 0 } && clock.Elapsed < rig.Settings.QuietTimeout)
        {
            await Task.Delay(Poll); // the server learns of the last closes a moment later
        }

        int live = rig.Pool.Factory.LiveClients, server = rig.StandIn?.OpenConnections ?? 0;
        if (s.Total != 0 || live != 0 || server != 0)
        {
            rig.Violations.Add($"I9 Dispose is complete violated: after DisposeAsync, pool Total {s.Total}, clients alive {live}, server connections {server} (all must be 0).");
        }

        if (s.Created != s.Destroyed || rig.Pool.Factory.Created != rig.Pool.Factory.Destroyed)
        {
            rig.Violations.Add($"I9 Dispose is complete violated: after DisposeAsync, the pool created {s.Created} and destroyed {s.Destroyed}, the factory {rig.Pool.Factory.Created} and {rig.Pool.Factory.Destroyed}.");
        }

        return new QuietCounts(s.Total, live, rig.StandIn?.OpenConnections);
    }

    /// <summary>One round: null if every slot was leased and every call on them succeeded, else what went wrong.</summary>
    private static async Task<string?> SettleRoundAsync(Rig rig, TimeSpan timeout)
    {
        if (timeout < MinSettleTimeout)
        {
            timeout = MinSettleTimeout;
        }

        var leases = new List<PooledConnection<QdrantClient>>();
        try
        {
            for (int i = 0; i < rig.Settings.MaxSize; i++)
            {
                leases.Add(await rig.Pool.Pool.AcquireAsync(timeout));
            }

            var calls = leases.Select(l => CheckAsync(l)).ToArray();
            var failures = (await Task.WhenAll(calls)).Where(f => f is not null).ToList();
            return failures.Count == 0 ? null : string.Create(CultureInfo.InvariantCulture, $"{failures.Count} calls failed, the first: {failures[0]}");
        }
        catch (Exception e) when (e is PoolExhaustedException or PoolUnavailableException or ConnectionCreateException)
        {
            return $"{e.GetType().Name}: {e.Message}";
        }
        finally
        {
            foreach (var lease in leases)
            {
                await lease.DisposeAsync();
            }
        }
    }

    private static async Task<string?> CheckAsync(PooledConnection<QdrantClient> lease)
    {
        try
        {
            await lease.Connection.HealthAsync();
            return null;
        }
        catch (Grpc.Core.RpcException e)
        {
            lease.Invalidate();
            return $"{e.StatusCode}: {e.Status.Detail}";
        }
    }
}
