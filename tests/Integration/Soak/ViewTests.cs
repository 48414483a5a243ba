using Pool.Demo.Checks;
using Pool.Demo.Load;
using Pool.Demo.Reporting;
using Pool.Demo.Views;
using Spectre.Console;

namespace Pool.Tests.Integration.Soak;

/// <summary>What the live table and the plain progress lines show, and when the live table is used.</summary>
public sealed class ViewTests
{
    private static readonly Sample Busy = new()
    {
        Elapsed = TimeSpan.FromSeconds(3),
        Stats = new PoolStatistics
        {
            MaxSize = 8, Ceiling = 8, MaxConcurrentCreates = 2, Idle = 1, InUse = 5, Creating = 1, Destroying = 1, Waiters = 12,
            IsUnavailable = true, ConsecutiveCreateFailures = 3, FailedFast = 42,
        },
        LiveClients = 7,
        Server = "DOWN",
        ServerConnections = 0,
        Calls = 1234,
        Failures = 50,
        FailuresByKind = [(Outcome.AcquireTimedOut, 0), (Outcome.FailedFast, 42), (Outcome.CallBroken, 8)],
        Violations = 2,
        Condition = "hangs on 25 % of calls for 1 s",
        FaultsInjected = 17,
        Events = [new Timeline.Event(1, TimeSpan.FromSeconds(2.5), "stand-in stopped (crash: connections aborted, port closed) for 1.2 s", Print: true)],
    };

    [Fact]
    public void The_live_table_shows_slots_waiters_calls_per_second_failures_by_kind_fast_fail_the_server_and_the_chaos()
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = 160;

        console.Write(LiveView.Render(Busy, rate: 567, TimeSpan.FromSeconds(10), "Chaos soak, seed 7"));
        var lines = output.ToString().Split('\n');
        string Row(string label) => Assert.Single(lines, l => Cells(l).FirstOrDefault() == label);

        Assert.Contains("Chaos soak, seed 7", lines[0], StringComparison.Ordinal);
        Assert.Contains("3.0 s of 10 s", Row("time"), StringComparison.Ordinal);
        Assert.Contains("DOWN, 0 connections", Row("Qdrant"), StringComparison.Ordinal);
        Assert.Contains("8/8", Row("pool slots"), StringComparison.Ordinal);
        Assert.Contains("1 / 5", Row("idle / in use"), StringComparison.Ordinal);
        Assert.Contains("1 / 1  (clients alive 7)", Row("creating / destroying"), StringComparison.Ordinal);
        Assert.Contains("12", Row("waiters"), StringComparison.Ordinal);
        Assert.Contains("OPEN after 3 failed creates in a row (42 failed fast so far)", Row("fast-fail"), StringComparison.Ordinal);
        Assert.Contains("1,234  567/s", Row("calls"), StringComparison.Ordinal);
        Assert.Contains("42", Row("failed fast (pool unavailable)"), StringComparison.Ordinal);
        Assert.Contains("8", Row("call failed (Unavailable etc.)"), StringComparison.Ordinal);
        Assert.DoesNotContain(lines, l => l.Contains("acquire timed out", StringComparison.Ordinal)); // kinds with none are left out
        Assert.Contains("hangs on 25 % of calls for 1 s", Row("chaos now"), StringComparison.Ordinal);
        Assert.Contains("17", Row("faults injected"), StringComparison.Ordinal);
        Assert.Contains("2", Row("violations"), StringComparison.Ordinal);
        Assert.Contains("[   2.5s] stand-in stopped (crash: connections aborted, port closed) for 1.2 s", Row("events"), StringComparison.Ordinal);
    }

    /// <summary>The text of a table line's cells, trimmed (the border characters depend on the console's Unicode support).</summary>
    private static string[] Cells(string line) =>
        [.. line.Split('│', '|').Select(c => c.Trim()).Where(c => c.Length > 0)];

    [Fact]
    public void A_plain_progress_line_has_the_counts_the_rate_since_the_last_line_and_the_chaos()
    {
        var previous = Busy with { Elapsed = TimeSpan.FromSeconds(2), Calls = 1000 };
        Assert.Equal(
            "[   3.0s] calls      1234 (   234/s) failures      50 | pool idle  1 used  5 creating 1 waiters  12 | fast-fail OPEN   "
            + "| server DOWN, 0 conns | chaos: 17 faults, now hangs on 25 % of calls for 1 s | violations 2",
            PlainView.Line(Busy, previous));
        Assert.Equal(
            "[   3.0s] calls      1234 (   234/s) failures      50 | pool idle  1 used  5 creating 1 waiters  12 | fast-fail closed | violations 2",
            PlainView.Line(Busy with { ServerConnections = null, Condition = null, Stats = Busy.Stats with { IsUnavailable = false } }, previous));
    }

    [Theory]
    [InlineData(InteractionSupport.Yes, AnsiSupport.Yes, true, false, true)]
    [InlineData(InteractionSupport.No, AnsiSupport.Yes, true, false, false)] // CI: Spectre says nobody is there
    [InlineData(InteractionSupport.Yes, AnsiSupport.No, true, false, false)]
    [InlineData(InteractionSupport.Yes, AnsiSupport.Yes, false, false, false)]
    [InlineData(InteractionSupport.Yes, AnsiSupport.Yes, true, true, false)] // output redirected to a file or a pipe
    public void The_live_table_runs_only_in_an_interactive_ANSI_terminal_whose_output_is_not_redirected(
        InteractionSupport interactive, AnsiSupport ansi, bool isTerminal, bool redirected, bool fits)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Interactive = interactive, Ansi = ansi, Out = new AnsiConsoleOutput(new StringWriter()) });
        Assert.Equal(fits, LiveView.Fits(console.Profile.Capabilities, isTerminal, redirected));
    }
}
