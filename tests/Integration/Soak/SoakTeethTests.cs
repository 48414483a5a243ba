using System.Globalization;
using System.Text.RegularExpressions;
using Pool.Demo.Checks;
using Pool.Demo.Views;

namespace Pool.Tests.Integration.Soak;

/// <summary>
/// The soak's checks fire: a deliberately broken lease source in place of the pool, and broken
/// inputs fed straight to the checkers, are each reported with the exact violation, and the run's
/// exit code is 1.
/// </summary>
public sealed partial class SoakTeethTests
{
    [Fact]
    public async Task A_lease_that_is_never_returned_is_reported_as_a_leak_at_the_quiet_point_and_after_dispose()
    {
        LeakingBroker? broker = null;
        var settings = SoakRuns.Calm(workers: 4, maxSize: 2) with { Broker = pool => broker = new LeakingBroker(pool, leakAt: 5) };

        var result = await Session.RunAsync(settings, new SilentView());
        var messages = SoakRuns.Messages(result);

        Assert.Equal(1, result.ExitCode);
        Assert.NotNull(broker!.Leaked);
        Assert.Equal(4, messages.Count);
        Assert.Equal("I3 Conservation across hand-off violated: the pool has 1 leases out after every worker stopped and gave back what it held (a lease was never returned).", messages[0]);
        Assert.Equal("Not quiet 1 s after the load stopped: InUse=1, Creating=0, Destroying=0, Waiters=0, Abandoned=0 (a lease never returned, or a create or destroy never ended).", messages[1]);
        Assert.Equal("I9 Dispose is complete violated: after DisposeAsync, pool Total 1, clients alive 1, server connections 1 (all must be 0).", messages[2]);
        Assert.Matches(@"^I9 Dispose is complete violated: after DisposeAsync, the pool created (\d+) and destroyed \d+, the factory \1 and \d+\.$", messages[3]);
        await broker.Leaked!.Value.DisposeAsync(); // returned to the disposed pool: destroyed
        Assert.Equal(0, result.Rig.Pool.Factory.LiveClients);
    }

    [Fact]
    public async Task A_client_handed_to_two_workers_at_once_is_reported_with_its_number()
    {
        // Every call takes 300 ms, so the two holders of the shared client overlap for sure.
        var settings = SoakRuns.Calm(workers: 4, maxSize: 2) with
        {
            MaxLeasesPerConnection = 1, // exclusive leases: a second holder at once is the violation
            Broker = pool => new DoubleHandingBroker(pool),
            PrepareStandIn = standIn => standIn.Faults.Latency = TimeSpan.FromMilliseconds(300),
        };

        var result = await Session.RunAsync(settings, new SilentView());
        var messages = SoakRuns.Messages(result);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(1, result.Rig.Leases.DoubleLeases);
        Assert.Equal(2, messages.Count);
        Assert.Matches(@"^I7 At most once violated: client #\d+ is held by 2 workers at once \(one connection leased twice\)\.$", messages[0]);

        // The workers got one lease more than the pool handed out.
        var counters = CountersMessage().Match(messages[1]);
        Assert.True(counters.Success, messages[1]);
        Assert.Equal(long.Parse(counters.Groups[1].Value, CultureInfo.InvariantCulture) + 1, long.Parse(counters.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    [Fact]
    public void The_lease_tracker_reports_a_second_holder_and_a_return_too_many()
    {
        var violations = new Violations(new RunClock());
        var tracker = new LeaseTracker(violations);
        using var client = new QdrantClient("localhost"); // never connects: no call is made
        using var other = new QdrantClient("localhost");

        tracker.Enter(client);
        tracker.Enter(other);
        Assert.Equal(0, violations.Count);
        tracker.Enter(client);
        tracker.Exit(client);
        tracker.Exit(client);
        tracker.Exit(client);
        tracker.Exit(other);
        using var stranger = new QdrantClient("localhost");
        tracker.Exit(stranger);

        Assert.Equal(
            [
                "I7 At most once violated: client #1 is held by 2 workers at once (one connection leased twice).",
                "I7 At most once violated: client #1 was given back more often than it was taken (-1 holders).",
                "A worker gave back a client it never took (the lease tracker has no record of it).",
            ],
            violations.First.Select(v => v[(v.IndexOf("] ", StringComparison.Ordinal) + 2)..]));
        Assert.Equal(1, tracker.DoubleLeases);
        Assert.Equal(2, tracker.Clients);
        Assert.Equal(-1, tracker.Held);
    }

    [Fact]
    public void The_continuous_check_reports_a_snapshot_that_breaks_an_invariant_and_passes_a_sound_one()
    {
        var violations = new Violations(new RunClock());
        var sound = new PoolStatistics { MaxSize = 2, Ceiling = 2, MaxConcurrentCreates = 2, Idle = 1, InUse = 1, Created = 2 };
        var overfull = sound with { Idle = 2, Created = 3 };

        Assert.True(violations.Check(sound, "monitor"));
        Assert.False(violations.Check(overfull, "monitor"));

        var message = Assert.Single(violations.First);
        Assert.Contains("] monitor: I1 Capacity violated: Total 3 exceeds the ceiling 2 (MaxSize 2). Counts: MaxSize=2, Total=3, Idle=2, InUse=1,", message, StringComparison.Ordinal);
        Assert.Equal(1, violations.Count);
    }

    [Fact]
    public void Violations_keep_the_first_hundred_messages_and_count_the_rest()
    {
        var violations = new Violations(new RunClock());
        for (int i = 0; i < 250; i++)
        {
            violations.Add($"violation {i}");
        }

        Assert.Equal(250, violations.Count);
        Assert.Equal(Violations.Kept, violations.First.Count);
        Assert.EndsWith("] violation 99", violations.First[^1], StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^Counters match outcomes violated: the pool counted (\d+) leases begun; the workers got (\d+), 0 were withdrawn after a failed validation, and at most 0 after their caller cancelled during validation\.$")]
    private static partial Regex CountersMessage();
}
