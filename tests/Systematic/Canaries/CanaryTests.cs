using Pool.Internal;
using Pool.Tests.Systematic.Scenarios;

namespace Pool.Tests.Systematic.Canaries;

/// <summary>
/// Teeth: the scenarios that pass on the pool must catch each canary's bug, with the specific
/// invariant in the message, within <see cref="CoyoteSettings.CanaryIterations"/> iterations of the default strategy.
/// </summary>
public sealed class CanaryTests(ITestOutputHelper output)
{
    [Fact]
    public void CheckThenCreateCanary_OvershootIsFoundAsI1Capacity() =>
        CoyoteRunner.AssertBugFound(CanaryScenarios.CheckThenCreate_ConcurrentAcquiresAtCapacity, output, "I1 Capacity violated", CoyoteSettings.CanaryIterations);

    [Fact]
    public void SlotLeakCanary_LeakedSlotIsFoundAsI2() =>
        CoyoteRunner.AssertBugFound(CanaryScenarios.SlotLeak_CreateFailureWithWaiterBehind, output, $"{PoolInvariants.FailedCreateServesAWaiter} violated", CoyoteSettings.CanaryIterations);

    [Fact]
    public void LostHandOffCanary_LostConnectionIsFoundAsI3() =>
        CoyoteRunner.AssertBugFound(CanaryScenarios.LostHandOff_ReturnRacingTimeoutAndCancellation, output, "I3 Conservation across hand-off violated", CoyoteSettings.CanaryIterations);

    [Fact]
    public void NoWakeUpCanary_StrandedWaiterIsFoundAsI4() =>
        CoyoteRunner.AssertBugFound(CanaryScenarios.NoWakeUp_CreateFailureWithWaiterBehind, output, "I4 No lost wake-up violated", CoyoteSettings.CanaryIterations);
}

/// <summary>The scenarios run against the canaries; entry points for <c>dotnet coyote test/replay -m</c>.</summary>
public static class CanaryScenarios
{
    [Test]
    public static Task CheckThenCreate_ConcurrentAcquiresAtCapacity() =>
        CapacityScenarios.RunConcurrentAcquiresAtCapacity(PoolTarget.CheckThenCreateCanary);

    [Test]
    public static Task SlotLeak_CreateFailureWithWaiterBehind() =>
        CreateFailureScenarios.RunCreateFailureWithWaiterBehind(PoolTarget.SlotLeakCanary);

    [Test]
    public static Task LostHandOff_ReturnRacingTimeoutAndCancellation() =>
        HandOffScenarios.RunReturnRacingTimeoutAndCancellation(PoolTarget.LostHandOffCanary);

    [Test]
    public static Task NoWakeUp_CreateFailureWithWaiterBehind() =>
        CreateFailureScenarios.RunCreateFailureWithWaiterBehind(PoolTarget.NoWakeUpCanary);
}
