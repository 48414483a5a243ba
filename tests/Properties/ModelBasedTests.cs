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
        var result = ModelRun.Run(scenario.Config, scenario.Choices, LockstepDriver.Real, restricted: false);
        return result.Passed.Label(result.Report);
    }

    /// <summary>
    /// Issue 12: 300 sequences on configs with stuck creates and/or checks held until answered (K = 1),
    /// so a create abandoned at CreateTimeout while its call still runs, an acquirer cancelled or a pool
    /// disposed during a check, and the late answers of both, are met in most runs.
    /// </summary>
    [Property(MaxTest = 300, Arbitrary = new[] { typeof(HeldWorkScenarioArbitrary) })]
    public Property RealPool_WithStuckCreatesAndHeldChecks_BehavesLikeTheModel(Scenario scenario)
    {
        var result = ModelRun.Run(scenario.Config, scenario.Choices, LockstepDriver.Real, restricted: false);
        return result.Passed.Label(result.Report);
    }
}
