using Pool.Tests.Systematic.Canaries;

namespace Pool.Tests.Systematic.Generated;

/// <summary>
/// The pools a generated scenario drives, behind the scenarios' own adapter: the real pool with every
/// timer-armed feature off (infinite timeouts, no maintenance, zero jitter, a clock that refuses timers),
/// and the canary whose failed create wakes nobody, which proves the generated property has teeth.
/// </summary>
internal static class GeneratedPools
{
    public static IPoolUnderTest Real(ScenarioFactory factory, ConcurrentScenario scenario) =>
        RealPool.Create(Spec(scenario), factory, new TimerlessClock(), FixedRandom.Zero);

    public static IPoolUnderTest NoWakeUpCanary(ScenarioFactory factory, ConcurrentScenario scenario) =>
        new CanaryPool(CanaryBug.NoWakeUpAfterFailedCreate, Spec(scenario), factory, new TimerlessClock());

    private static PoolSpec Spec(ConcurrentScenario scenario) => new(scenario.MaxSize) { MaxConcurrentCreates = scenario.MaxConcurrentCreates };
}
