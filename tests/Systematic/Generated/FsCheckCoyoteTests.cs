using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Pool.Tests.Systematic.Generated;

/// <summary>
/// Issue 5, part 3: FsCheck generates small concurrent scenarios (2–4 clients, a create fault script),
/// Coyote explores each one's interleavings; a failing scenario is shrunk by FsCheck and reported with
/// Coyote's bug text and the path of the replayable trace.
/// </summary>
public sealed class FsCheckCoyoteTests(ITestOutputHelper output)
{
    public const uint Iterations = 100;

    [Property(MaxTest = 100, Arbitrary = new[] { typeof(ConcurrentScenarioArbitrary) })]
    public Property RealPool_HoldsInEveryExploredInterleaving_OfEveryGeneratedScenario(ConcurrentScenario scenario)
    {
        var run = ScenarioExplorer.Explore(scenario, GeneratedPools.Real, Iterations);
        return (!run.BugFound).Label(run.ToString());
    }

    /// <summary>Teeth: the canary that wakes nobody after a failed create is caught and shrunk.</summary>
    [Fact]
    public void NoWakeUpCanary_IsCaught_AndTheScenarioShrinks()
    {
        Exploration? last = null;
        var property = Prop.ForAll(ConcurrentScenarioArbitrary.Scenario(), scenario =>
        {
            var run = ScenarioExplorer.Explore(scenario, GeneratedPools.NoWakeUpCanary, 30);
            if (run.BugFound)
            {
                last = run;
            }

            return (!run.BugFound).Label(run.ToString());
        });

        var error = Record.Exception(() => FsCheck.Check.One(Config.QuickThrowOnFailure.WithMaxTest(50), property));

        Assert.NotNull(error);
        Assert.NotNull(last);
        output.WriteLine(last.ToString());
        Assert.False(string.IsNullOrEmpty(last.Bug));
        Assert.True(last.Scenario.Clients.Sum(c => c.Length) <= 3, $"not shrunk: {last.Scenario}");
    }
}
