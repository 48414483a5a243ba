using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Pool.Tests.Properties;

public sealed class ModelBasedTests
{
    /// <summary>
    /// Issue 5, part 1: 1,000 generated operation sequences (up to 40 operations each, plus a dispose
    /// teardown) run on the model and the real pool in lockstep; after every step the statistics, the
    /// invariants, the factory's call counts and every acquire's outcome must agree.
    /// </summary>
    [Property(MaxTest = 1000, Arbitrary = new[] { typeof(ScenarioArbitrary) })]
    public Property RealPool_BehavesLikeTheModel(Scenario scenario)
    {
        var result = ModelRun.Run(scenario.Config, scenario.Choices, c => new LockstepRealPool(c), restricted: false);
        return result.Passed.Label(result.Report);
    }
}
