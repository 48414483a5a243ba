using System.Globalization;

namespace Pool.Demo.Views;

/// <summary>
/// One progress line a second, for output that is not an interactive terminal (redirected, CI):
/// calls, calls/s, failures, the pool's counts, the fast-fail window, the stand-in, the chaos.
/// </summary>
internal sealed class PlainView(TextWriter output) : IView
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);
    private long _eventsShown; // the Number of the last event printed

    public async Task ShowAsync(Dashboard dashboard, TimeSpan duration)
    {
        var previous = dashboard.Take();
        for (var at = Tick; ; at += Tick)
        {
            // Whole seconds, then the end of the run; a delay can round down, so wait until it has passed.
            var line = at < duration ? at : duration;
            for (var left = line - dashboard.Take().Elapsed; left > TimeSpan.Zero; left = line - dashboard.Take().Elapsed)
            {
                await Task.Delay(left + TimeSpan.FromMilliseconds(1));
            }

            var now = dashboard.Take();
            Print(now, previous);
            previous = now;
            if (line == duration)
            {
                return;
            }
        }
    }

    public void Note(string line) => output.WriteLine(line);

    private void Print(Sample now, Sample previous)
    {
        foreach (var shown in now.Events.Where(e => e.Number > _eventsShown))
        {
            if (shown.Print)
            {
                output.WriteLine($"{shown} ---");
            }

            _eventsShown = shown.Number;
        }

        output.WriteLine(Line(now, previous));
    }

    /// <summary>One progress line: the counts now, and calls per second since <paramref name="previous"/>.</summary>
    internal static string Line(Sample now, Sample previous)
    {
        var s = now.Stats;
        double seconds = Math.Max(0.001, (now.Elapsed - previous.Elapsed).TotalSeconds);
        string server = now.ServerConnections is { } open ? $" | server {now.Server}, {open} conns" : string.Empty;
        string chaos = now.Condition is { } condition ? $" | chaos: {now.FaultsInjected} faults, now {condition}" : string.Empty;
        return string.Create(CultureInfo.InvariantCulture,
            $"[{now.Elapsed.TotalSeconds,6:F1}s] calls {now.Calls,9} ({(now.Calls - previous.Calls) / seconds,6:F0}/s) failures {now.Failures,7} | "
            + $"pool idle {s.Idle,2} used {s.InUse,2} creating {s.Creating} waiters {s.Waiters,3} | fast-fail {(s.IsUnavailable ? "OPEN  " : "closed")}"
            + $"{server}{chaos} | violations {now.Violations}");
    }
}
