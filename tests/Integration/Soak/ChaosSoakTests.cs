using Pool.Demo;
using Pool.Tests.Integration.Support;
using Xunit.Abstractions;

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

        var result = await Session.RunAsync(settings, new SilentView());
        var rig = result.Rig;
        foreach (var (name, value) in Report.Rows(result))
        {
            output.WriteLine($"{name,-40}{value}");
        }

        Assert.Empty(SoakRuns.Messages(result));
        Assert.Equal(0, result.ExitCode);

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
        var settings = new RunSettings { Duration = TimeSpan.FromSeconds(4), Workers = 16, MaxSize = 4, RestartEvery = TimeSpan.FromSeconds(1) };

        var result = await Session.RunAsync(settings, new SilentView());
        var rig = result.Rig;
        foreach (var (name, value) in Report.Rows(result))
        {
            output.WriteLine($"{name,-40}{value}");
        }

        Assert.Empty(SoakRuns.Messages(result));
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(2, rig.Timeline.Restarts.Count); // at 0.5 s and 1.5 s, each down 0.3 s
        Assert.All(rig.Timeline.Restarts, r => Assert.InRange(r.RecoveryTime!.Value, TimeSpan.Zero, TimeSpan.FromSeconds(2)));
        Assert.Equal(0, rig.Faults.Total); // the plain demo injects nothing on the client side
        Assert.True(rig.Tally.Failures > 0, "the restarts failed no call");
        Assert.Equal(0, rig.Tally.Count(Outcome.Unexpected));
        Assert.Equal(rig.Tally.Started, rig.Tally.Completed);
        Assert.Equal(2, rig.Timeline.Events.Count(e => e.Text.StartsWith("stand-in stopped", StringComparison.Ordinal)));
    }

    [Fact]
    public void The_restart_schedule_leaves_two_seconds_to_recover_after_the_last_restart()
    {
        Assert.Equal([0.5, 1.5], RestartSchedule.Times(TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(1)).Select(t => t.TotalSeconds));
        Assert.Equal([2.0, 6.0], RestartSchedule.Times(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(4)).Select(t => t.TotalSeconds));
        Assert.Empty(RestartSchedule.Times(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(4)));
        Assert.Equal(TimeSpan.FromSeconds(1.2), RestartSchedule.OutageFor(TimeSpan.FromSeconds(4)));
        Assert.Equal(TimeSpan.FromSeconds(1.5), RestartSchedule.OutageFor(TimeSpan.FromMinutes(1)));
    }
}
