using System.Globalization;
using Pool.Demo.CommandLine;
using Pool.Demo.Load;
using Spectre.Console;

namespace Pool.Demo.Reporting;

/// <summary>
/// The final report: calls and their latency, failures by kind, recovery after each restart, the
/// faults injected, connections created and destroyed, peaks, the counts at the quiet point, and
/// the verdict. A table in a terminal, aligned plain rows otherwise.
/// </summary>
internal static class Report
{
    private const int ListedRestarts = 10; // and the last one
    public static IReadOnlyList<(string Name, string Value)> Rows(RunResult result)
    {
        var rig = result.Rig;
        var settings = rig.Settings;
        var t = rig.Tally;
        var s = rig.Pool.GetStatistics();
        var inv = CultureInfo.InvariantCulture;
        var rows = new List<(string, string)>();
        void Row(string name, string value) => rows.Add((name, value));
        string Ms(TimeSpan? value) => value is { } v ? string.Create(inv, $"{v.TotalMilliseconds:0.0} ms") : "n/a";

        Row("run", string.Create(inv, $"{(settings.Chaos ? $"chaos soak, seed {settings.Seed}" : "demo")}: {settings.Workers} workers, MaxSize {settings.MaxSize}, {DurationText.Show(settings.Duration)}"));
        double seconds = Math.Max(0.001, settings.Duration.TotalSeconds);
        Row("calls", string.Create(inv, $"{t.Calls:N0} succeeded ({t.Upserts:N0} upserts, {t.Queries:N0} queries; {t.Calls / seconds:N0}/s) of {t.Started:N0} started"));
        Row("call latency (acquire included)", $"p50 {Ms(t.Latency.Quantile(0.5))}, p99 {Ms(t.Latency.Quantile(0.99))}, max {Ms(t.Latency.Count > 0 ? t.Latency.Max : null)}");
        Row("failures", string.Create(inv, $"{t.Failures:N0}"));
        foreach (var kind in Outcomes.Failures)
        {
            Row("  " + Outcomes.Describe(kind), string.Create(inv, $"{t.Count(kind):N0}"));
        }

        var restarts = rig.Timeline.Restarts;
        for (int i = 0; i < restarts.Count; i++)
        {
            if (i < ListedRestarts || i == restarts.Count - 1)
            {
                Row($"restart {i + 1}", restarts[i].ToString());
            }
            else if (i == ListedRestarts)
            {
                Row(string.Create(inv, $"restarts {i + 1} to {restarts.Count - 1}"), "(not listed)");
            }
        }

        var recoveries = restarts.Where(r => r.RecoveryTime is not null).Select(r => r.RecoveryTime!.Value.TotalMilliseconds).Order().ToList();
        if (restarts.Count > 0)
        {
            Row("recovery after a restart", recoveries.Count == 0 ? "never measured" : string.Create(inv,
                $"{recoveries.Count} of {restarts.Count} measured: median {recoveries[(recoveries.Count - 1) / 2]:F0} ms, worst {recoveries[^1]:F0} ms"));
            double down = restarts.Sum(r => ((r.Up ?? r.Down) - r.Down).TotalSeconds);
            Row("failed calls during outages", string.Create(inv,
                $"{restarts.Sum(r => r.FailedCalls):N0} (from each stop until the first success after the restart; {down:F2} s down in all)"));
        }

        if (settings.Chaos)
        {
            Row("faults injected", string.Create(inv, $"{rig.Faults.Total:N0}"));
            foreach (var (kind, count) in rig.Faults.All)
            {
                Row("  " + kind, string.Create(inv, $"{count:N0}"));
            }
        }

        Row("connections created / destroyed", string.Create(inv, $"{s.Created:N0} / {s.Destroyed:N0} ({s.CreateFailures:N0} creates failed)"));
        Row("  destroyed because", string.Create(inv,
            $"invalidated {s.DestroyedInvalidated:N0}, validation failed {s.DestroyedValidationFailed:N0}, idle {s.DestroyedIdle:N0}, "
            + $"expired {s.DestroyedExpired:N0}, cleared {s.DestroyedCleared:N0}, surplus {s.DestroyedSurplus:N0}, disposed {s.DestroyedDisposed:N0}"));
        string server = rig.StandIn is { } standIn ? string.Create(inv, $", server {standIn.PeakOpenConnections} ({standIn.AcceptedConnections:N0} accepted in all)") : string.Empty;
        Row("peaks", string.Create(inv, $"pool Total {rig.Peaks.Total}, clients alive {rig.Peaks.LiveClients}{server}; in use {rig.Peaks.InUse}, waiters {rig.Peaks.Waiters}"));
        Row("leases", string.Create(inv, $"{t.Leased:N0} calls on a channel; workers' own leases on {rig.Leases.Clients:N0} clients, over the limit at once: {rig.Leases.DoubleLeases}"));
        if (result.Quiet is { } q)
        {
            string end = q.ServerConnections is { } open ? $" = server connections {open}" : " (a real Qdrant: server side not counted)";
            Row("at the quiet point", $"pool Total {q.PoolTotal} = clients alive {q.LiveClients}{end}");
        }

        if (result.AfterDispose is { } d)
        {
            Row("after dispose", $"pool Total {d.PoolTotal}, clients alive {d.LiveClients}, server connections {d.ServerConnections?.ToString(inv) ?? "n/a"}");
        }

        Row("invariant checks", string.Create(inv, $"{rig.Peaks.Samples:N0} monitor snapshots + one after each of {t.Completed:N0} calls"));
        Row("verdict", rig.Violations.Count == 0 ? "every check held" : string.Create(inv, $"BROKEN: {rig.Violations.Count} violations"));
        return rows;
    }

    public static void Print(RunResult result, IAnsiConsole? console, TextWriter plain)
    {
        var rows = Rows(result);
        if (console is null)
        {
            plain.WriteLine();
            foreach (var (name, value) in rows)
            {
                plain.WriteLine($"{name,-40}{value}");
            }

            return;
        }

        var table = new Table().Border(TableBorder.Rounded).Title("report").HideHeaders();
        table.AddColumn(new TableColumn(string.Empty).NoWrap());
        table.AddColumn(new TableColumn(string.Empty));
        foreach (var (name, value) in rows)
        {
            string shown = Markup.Escape(value);
            table.AddRow(Markup.Escape(name), name == "verdict" ? $"[{(result.ExitCode == 0 ? "green" : "red bold")}]{shown}[/]" : shown);
        }

        console.Write(table);
    }
}
