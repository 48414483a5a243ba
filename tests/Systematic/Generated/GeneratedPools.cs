namespace Pool.Tests.Systematic.Generated;

/// <summary>
/// The pools a generated scenario drives, behind the test kit's one adapter (`IPoolUnderTest`): the real pool with every
/// timer-armed feature off (infinite timeouts, no maintenance, zero jitter, a clock that refuses timers),
/// and the canary whose failed create wakes nobody, which proves the generated property has teeth.
/// </summary>
internal static class GeneratedPools
{
    public static IPoolUnderTest Real(FakeFactory factory, ConcurrentScenario scenario) =>
        Spec(scenario).CreateReal(factory, new TimerlessClock(), FixedRandom.Zero);

    public static IPoolUnderTest NoWakeUpCanary(FakeFactory factory, ConcurrentScenario scenario) =>
        Spec(scenario).CreateCanary(CanaryBug.NoWakeUpAfterFailedCreate, factory, new TimerlessClock(), FixedRandom.Zero);

    private static PoolSpec Spec(ConcurrentScenario scenario) => new(scenario.MaxSize) { MaxConcurrentCreates = scenario.MaxConcurrentCreates };
}
