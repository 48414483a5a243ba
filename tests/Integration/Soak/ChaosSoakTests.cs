using Pool.Demo.CommandLine;
using Pool.Demo.Faults;
using Pool.Demo.Load;
using Pool.Demo.Reporting;
using Pool.Demo.Views;

namespace Pool.Tests.Integration.Soak;

/// <summary>The demo's engine, in-process: a short chaos soak and a short demo are clean and really do what they claim.</summary>
public sealed class ChaosSoakTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_five_second_chaos_soak_finds_no_violation_and_injects_the_faults_its_seed_plans()
    {
        // The first seed whose plan starts with a restart within 1.5 s and a condition within 1 s, so
        // both lanes act in every run whatever the machine's speed.
        int seed = Enumerable.Range(1, 10_000).First(s =>
            ChaosPlan.Incidents(s, 4).First() is { Kind: ChaosPlan.IncidentKind.Restart, Gap.TotalSeconds: < 1.5 }
            && ChaosPlan.Conditions(s).First().Calm < TimeSpan.FromSeconds(1));
        var settings = new RunSettings
        {
            Duration = TimeSpan.FromSeconds(5),
            Workers = 16,
            MaxSize = 4,
            Chaos = true,
            Seed = seed,
            WorkerChaos = WorkerChaos.Soak,
        };

        var result = await RunCleanAsync(settings);
        var rig = result.Rig;

        // Every call ended exactly once, and enough of them happened to mean something.
        var t = rig.Tally;
        Assert.Equal(t.Started, t.Completed);
        Assert.Equal(t.Started, t.Leased + t.EndedBeforeLease);
        Assert.True(t.Calls >= 200, $"only {t.Calls} calls succeeded");
        Assert.Equal(0, t.Count(Outcome.Unexpected));
        Assert.Equal(0, t.WrongAnswers);
        Assert.Equal(0, rig.Leases.DoubleLeases);

        // The client side injected its faults, and the pool felt them.
        Assert.True(rig.Faults[FaultCounts.Cancel] > 0);
        Assert.True(rig.Faults[FaultCounts.ShortTimeout] > 0);
        Assert.True(rig.Faults[FaultCounts.Hold] > 0);
        Assert.True(rig.Faults[FaultCounts.Restart] >= 1);
        Assert.True(rig.Timeline.Restarts.Count >= 1);
        Assert.True(t.Failures > 0);

        // The monkey did exactly what the seed's plan says, in order.
        var events = rig.Timeline.Events.Select(e => e.Text).ToList();
        var conditions = events.Where(e => e.StartsWith(ChaosMonkey.ConditionPrefix, StringComparison.Ordinal)).ToList();
        var incidents = events.Where(e => new[] { "restart:", "cut all:", "cut some:", "pool.Clear():" }.Any(l => e.StartsWith(l, StringComparison.Ordinal))).ToList();
        Assert.NotEmpty(conditions);
        Assert.NotEmpty(incidents);
        Assert.Equal(ChaosPlan.Conditions(seed).Take(conditions.Count).Select(c => ChaosMonkey.ConditionPrefix + c), conditions);
        Assert.Equal(ChaosPlan.Incidents(seed, 4).Take(incidents.Count).Select(i => i.Label + ":"), incidents.Select(i => i[..(i.IndexOf(':', StringComparison.Ordinal) + 1)]));

        // At the quiet point the three counts agreed; after dispose nothing is left.
        var quiet = Assert.IsType<QuietCounts>(result.Quiet);
        Assert.Equal(quiet.PoolTotal, quiet.LiveClients);
        Assert.Equal(quiet.PoolTotal, quiet.ServerConnections);
        Assert.Equal(new QuietCounts(0, 0, 0), result.AfterDispose);
        var after = rig.Pool.GetStatistics();
        Assert.True(after.IsDisposed);
        Assert.Equal(0, after.Total);
        Assert.Equal(after.Created, after.Destroyed);
        Assert.Equal(0, rig.Pool.Factory.LiveClients);
        Assert.True(rig.Peaks.Total <= 4);
    }

    [Fact]
    public async Task The_demo_restarts_the_stand_in_on_its_schedule_and_measures_each_recovery()
    {
        // Restarts at 1.5 s and 4.5 s, each down 0.9 s: 2.1 s of uptime after each, so both recoveries are judged.
        var settings = new RunSettings { Duration = TimeSpan.FromSeconds(7.5), Workers = 16, MaxSize = 4, RestartEvery = TimeSpan.FromSeconds(3) };

        var result = await RunCleanAsync(settings);
        var rig = result.Rig;
        Assert.Equal(2, rig.Timeline.Restarts.Count);
        Assert.All(rig.Timeline.Restarts, r => Assert.InRange(r.RecoveryTime!.Value, TimeSpan.Zero, TimeSpan.FromSeconds(2)));
        Assert.Equal(0, rig.Faults.Total); // the plain demo injects nothing on the client side
        Assert.True(rig.Tally.Failures > 0, "the restarts failed no call");
        Assert.Equal(0, rig.Tally.Count(Outcome.Unexpected));
        Assert.Equal(rig.Tally.Started, rig.Tally.Completed);
        Assert.Equal(2, rig.Timeline.Events.Count(e => e.Text.StartsWith("stand-in stopped", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_restart_without_a_recovery_is_a_violation_only_when_two_seconds_of_uptime_followed_it()
    {
        static Timeline.Restart At(double down, double up, double? recovered) => new()
        {
            Down = TimeSpan.FromSeconds(down),
            Up = TimeSpan.FromSeconds(up),
            Recovered = recovered is { } r ? TimeSpan.FromSeconds(r) : null,
        };

        Timeline.Restart[] restarts =
        [
            At(0.5, 0.8, null),   // next down at 1.5: 0.7 s of uptime, not judged
            At(1.5, 1.8, null),   // next down at 4.0: 2.2 s, judged: a violation
            At(4.0, 4.3, 5.0),    // recovered
            At(7.0, 7.3, null),   // the end at 9.3: exactly 2 s, judged: a violation
        ];

        Assert.Equal([1, 3], RestartSchedule.Unrecovered(restarts, TimeSpan.FromSeconds(9.3)));
        Assert.Equal([1], RestartSchedule.Unrecovered(restarts, TimeSpan.FromSeconds(9.2)));
    }

    [Fact]
    public void The_restart_schedule_leaves_two_seconds_to_recover_after_the_last_restart()
    {
        Assert.Equal([0.5, 1.5], RestartSchedule.Times(TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(1)).Select(t => t.TotalSeconds));
        Assert.Equal([1.5, 4.5], RestartSchedule.Times(TimeSpan.FromSeconds(7.5), TimeSpan.FromSeconds(3)).Select(t => t.TotalSeconds));
        Assert.Equal([2.0, 6.0], RestartSchedule.Times(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(4)).Select(t => t.TotalSeconds));
        Assert.Empty(RestartSchedule.Times(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(4)));
        Assert.Equal(TimeSpan.FromSeconds(1.2), RestartSchedule.OutageFor(TimeSpan.FromSeconds(4)));
        Assert.Equal(TimeSpan.FromSeconds(1.5), RestartSchedule.OutageFor(TimeSpan.FromMinutes(1)));
    }

    /// <summary>Runs the demo's engine with <paramref name="settings"/>, prints its report and asserts it ended clean: no violation, exit code 0.</summary>
    private async Task<RunResult> RunCleanAsync(RunSettings settings)
    {
        var result = await Session.RunAsync(settings, new SilentView());
        foreach (var (name, value) in Report.Rows(result))
        {
            output.WriteLine($"{name,-40}{value}");
        }

        Assert.Empty(SoakRuns.Messages(result));
        Assert.Equal(0, result.ExitCode);
        return result;
    }
}
