using System.Globalization;
using System.Text;
using Pool.Demo.CommandLine;
using Pool.Demo.Load;
using Spectre.Console;

namespace Pool.Demo.Views;

/// <summary>
/// A Spectre.Console live table, redrawn four times a second: the pool's slots, waiters, calls/s,
/// failures by kind, the fast-fail window, the stand-in's state, the chaos and the violations.
/// Only for an interactive terminal (<see cref="Fits"/>); otherwise <see cref="PlainView"/>.
/// </summary>
internal sealed class LiveView(IAnsiConsole console, string title) : IView
{
    private static readonly TimeSpan Refresh = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(1);
    private const int EventsShown = 5;

    /// <summary>Whether the live table can run: Spectre sees an interactive ANSI terminal (not CI) and the output is not redirected.</summary>
    public static bool Fits(IAnsiConsole console) =>
        Fits(console.Profile.Capabilities, console.Profile.Out.IsTerminal, Console.IsOutputRedirected);

    public static bool Fits(IReadOnlyCapabilities capabilities, bool isTerminal, bool outputRedirected) =>
        capabilities.Interactive && capabilities.Ansi && isTerminal && !outputRedirected;

    public async Task ShowAsync(Dashboard dashboard, TimeSpan duration)
    {
        var history = new Queue<Sample>();
        await console.Live(Render(dashboard.Take(), history, duration)).AutoClear(false).StartAsync(async context =>
        {
            while (true)
            {
                var sample = dashboard.Take();
                context.UpdateTarget(Render(sample, history, duration));
                context.Refresh();
                if (sample.Elapsed >= duration)
                {
                    return;
                }

                var left = duration - sample.Elapsed;
                await Task.Delay(left < Refresh ? left : Refresh);
            }
        });
    }

    public void Note(string line) => console.WriteLine(line);

    private Table Render(Sample now, Queue<Sample> history, TimeSpan duration)
    {
        history.Enqueue(now);
        while (history.Count > 1 && now.Elapsed - history.Peek().Elapsed > RateWindow)
        {
            history.Dequeue();
        }

        var oldest = history.Peek();
        double seconds = (now.Elapsed - oldest.Elapsed).TotalSeconds;
        return Render(now, seconds > 0 ? (now.Calls - oldest.Calls) / seconds : 0, duration, title);
    }

    /// <summary>The table for one sample, with the calls per second over the last second.</summary>
    internal static Table Render(Sample now, double rate, TimeSpan duration, string title)
    {
        var s = now.Stats;
        var inv = CultureInfo.InvariantCulture;

        var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape(title)).HideHeaders();
        table.AddColumn(new TableColumn(string.Empty).NoWrap());
        table.AddColumn(new TableColumn(string.Empty));
        table.AddRow("time", string.Create(inv, $"{Math.Min(now.Elapsed.TotalSeconds, duration.TotalSeconds):F1} s of {DurationText.Show(duration)}"));
        table.AddRow("Qdrant", ServerMarkup(now));
        table.AddRow("pool slots", string.Create(inv, $"{Slots(s)}  [grey]{s.Total}/{s.MaxSize}[/]"));
        table.AddRow("  idle / in use", string.Create(inv, $"{s.Idle} / [green]{s.InUse}[/]"));
        table.AddRow("  creating / destroying", string.Create(inv, $"[yellow]{s.Creating}[/] / [red]{s.Destroying}[/]  [grey](clients alive {now.LiveClients})[/]"));
        table.AddRow("waiters", string.Create(inv, $"{s.Waiters}"));
        table.AddRow("fast-fail", s.IsUnavailable
            ? string.Create(inv, $"[red bold]OPEN[/] after {s.ConsecutiveCreateFailures} failed creates in a row ({s.FailedFast} failed fast so far)")
            : string.Create(inv, $"[green]closed[/] ({s.FailedFast} failed fast so far)"));
        table.AddRow("calls", string.Create(inv, $"{now.Calls:N0}  [bold]{rate:N0}/s[/]"));
        table.AddRow("failures", string.Create(inv, $"{now.Failures:N0}"));
        foreach (var (kind, count) in now.FailuresByKind.Where(f => f.Count > 0))
        {
            table.AddRow("  " + Outcomes.Describe(kind), string.Create(inv, $"{count:N0}"));
        }

        if (now.Condition is { } condition)
        {
            table.AddRow("chaos now", Markup.Escape(condition));
            table.AddRow("faults injected", string.Create(inv, $"{now.FaultsInjected:N0}"));
        }

        table.AddRow("violations", now.Violations == 0 ? "[green]0[/]" : string.Create(inv, $"[red bold]{now.Violations}[/]"));
        var recent = now.Events.TakeLast(EventsShown).Select(e => Markup.Escape(e.ToString()));
        table.AddRow("events", string.Join('\n', recent.DefaultIfEmpty("[grey]none yet[/]")));
        return table;
    }

    private static string ServerMarkup(Sample now)
    {
        string state = now.Server switch
        {
            "up" => "[green]up[/]",
            "DOWN" => "[red bold]DOWN[/]",
            "external" => "external (not restarted)",
            var other => $"[yellow]{other}[/]",
        };
        return now.ServerConnections is { } open ? string.Create(CultureInfo.InvariantCulture, $"{state}, {open} connections") : state;
    }

    /// <summary>One cell per slot: in use, idle, creating, destroying, free.</summary>
    private static string Slots(in PoolStatistics s)
    {
        var text = new StringBuilder();
        Cells(text, "green", '█', s.InUse);
        Cells(text, "blue", '▓', s.Idle);
        Cells(text, "yellow", '▒', s.Creating);
        Cells(text, "red", '×', s.Destroying);
        Cells(text, "grey", '·', Math.Max(0, s.MaxSize - s.Total));
        return text.ToString();
    }

    private static void Cells(StringBuilder text, string color, char cell, int count)
    {
        if (count > 0)
        {
            text.Append('[').Append(color).Append(']').Append(cell, Math.Min(count, 64)).Append("[/]");
        }
    }
}
