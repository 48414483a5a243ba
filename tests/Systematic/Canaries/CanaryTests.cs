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

    // The bug (a create given up at CreateTimeout counts nowhere, so the next create dials beside it) breaks
    // two invariants, each of which names abandoned creates (docs/invariants.md): I8, at most
    // MaxConcurrentCreates create calls in flight, abandoned ones included (the factory sees the second call
    // start), and I1's backend bound, Total + Abandoned within the ceiling + MaxConcurrentCreates (the pool's
    // counts after an acquire). Which check sees it first is the interleaving's choice, so either is this bug;
    // any other I1 clause or invariant is not.
    [Fact]
    public void AbandonedCreateCanary_SecondCallBesideTheAbandonedOneIsFoundAsI8OrI1() =>
        CoyoteRunner.AssertBugFound(
            CanaryScenarios.AbandonedCreate_AbandonedCreateRacingMoreAcquires,
            output,
            ["I8 Creates belong to the pool violated", "I1 Capacity violated: the backend may hold"],
            CoyoteSettings.CanaryIterations);

    // The bug's window is one yield of a slow check: 1,000 iterations.
    [Fact]
    public void UncheckedReturnCanary_ConnectionLeasedDuringItsCheckIsFoundAsI11() =>
        CoyoteRunner.AssertBugFound(CanaryScenarios.UncheckedReturn_CancelledValidationRacingAnotherAcquire, output, "I11 One call at a time per connection violated", 1000);
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

    [Test]
    public static Task AbandonedCreate_AbandonedCreateRacingMoreAcquires() =>
        AbandonedWorkScenarios.RunAbandonedCreateRacingMoreAcquires(PoolTarget.AbandonedCreateCanary);

    [Test]
    public static Task UncheckedReturn_CancelledValidationRacingAnotherAcquire() =>
        ValidationScenarios.RunCancelledValidationRacingAnotherAcquire(PoolTarget.UncheckedReturnCanary);
}
