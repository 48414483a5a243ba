using Pool.Demo.Faults;

namespace Pool.Tests.Integration.Soak;

/// <summary>A seed fixes the soak's faults: same seed, same steps; and the steps cover every kind of fault.</summary>
public sealed class ChaosPlanTests
{
    [Fact]
    public void The_same_seed_gives_the_same_steps_and_another_seed_other_steps()
    {
        Assert.Equal(ChaosPlan.Conditions(42).Take(50), ChaosPlan.Conditions(42).Take(50));
        Assert.Equal(ChaosPlan.Incidents(42, 8).Take(50), ChaosPlan.Incidents(42, 8).Take(50));
        Assert.NotEqual(ChaosPlan.Conditions(42).Take(50), ChaosPlan.Conditions(43).Take(50));
        Assert.NotEqual(ChaosPlan.Incidents(42, 8).Take(50), ChaosPlan.Incidents(43, 8).Take(50));
    }

    [Fact]
    public void Four_hundred_steps_cover_every_kind_within_the_documented_ranges()
    {
        var conditions = ChaosPlan.Conditions(7).Take(400).ToList();
        Assert.Equal(Enum.GetValues<ChaosPlan.ConditionKind>(), conditions.Select(c => c.Kind).Distinct().Order());
        Assert.Equal([0.05, 0.25, 0.5, 1], conditions.Select(c => c.Share).Distinct().Order());
        Assert.Equal([false, true], conditions.Select(c => c.Lull).Distinct().Order());
        Assert.Equal([false, true], conditions.Select(c => c.SpareHealth).Distinct().Order());
        Assert.All(conditions, c => Assert.InRange(c.Calm.TotalMilliseconds, 100, 1500));
        Assert.All(conditions, c => Assert.InRange(c.Length.TotalMilliseconds, 100, c.Lull ? 4000 : 1500));
        Assert.All(conditions, c => Assert.InRange(c.Latency.TotalMilliseconds, 5, 300));

        var incidents = ChaosPlan.Incidents(7, maxSize: 8).Take(400).ToList();
        Assert.Equal(Enum.GetValues<ChaosPlan.IncidentKind>(), incidents.Select(i => i.Kind).Distinct().Order());
        Assert.All(incidents, i => Assert.InRange(i.Gap.TotalMilliseconds, 300, 3000));
        Assert.All(incidents, i => Assert.InRange(i.DownFor.TotalMilliseconds, 50, 1500));
        Assert.Equal([1, 2, 3, 4], incidents.Select(i => i.Some).Distinct().Order());
    }

    [Fact]
    public void A_condition_describes_itself_as_the_live_table_shows_it()
    {
        var both = new ChaosPlan.Condition(TimeSpan.FromSeconds(1), ChaosPlan.ConditionKind.Latency, Lull: true, Share: 0.25, SpareHealth: true,
            Length: TimeSpan.FromSeconds(1.2), Latency: TimeSpan.FromMilliseconds(120));
        Assert.Equal("latency 120 ms + a lull (2 workers call) on 25 % of calls (health checks spared) for 1.2 s", both.ToString());
        Assert.Equal("hangs on 100 % of calls for 800 ms", (both with { Kind = ChaosPlan.ConditionKind.Hang, Lull = false, Share = 1, SpareHealth = false, Length = TimeSpan.FromMilliseconds(800) }).ToString());
        Assert.Equal("a lull (2 workers call) for 3 s", (both with { Kind = ChaosPlan.ConditionKind.None, Length = TimeSpan.FromSeconds(3) }).ToString());
        Assert.Equal("calm for 3 s", (both with { Kind = ChaosPlan.ConditionKind.None, Lull = false, Length = TimeSpan.FromSeconds(3) }).ToString());
    }
}
