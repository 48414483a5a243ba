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

    [Fact]
    public void LeaseOnFullConnectionCanary_KPlusOneLeasesIsFound() =>
        CoyoteRunner.AssertBugFound(CanaryScenarios.LeaseOnFullConnection_ConcurrentAcquiresFillKAndSpillToACreate, output, $"{PoolInvariants.LeasesWithinLimit} violated", CoyoteSettings.CanaryIterations);

    [Fact]
    public void LeaseOnBrokenConnectionCanary_LeaseOnTheInvalidatedConnectionIsFound() =>
        CoyoteRunner.AssertBugFound(CanaryScenarios.LeaseOnBrokenConnection_InvalidateRacingTheOtherLeasesReturns, output, $"{PoolInvariants.OnlyUsableConnectionsTakeLeases} violated", CoyoteSettings.CanaryIterations);

    [Fact]
    public void LeaseCountDecrementedTwiceCanary_LostLeaseIsFound() =>
        CoyoteRunner.AssertBugFound(CanaryScenarios.LeaseCountDecrementedTwice_DoubleReturnOfOneSharedLease, output, $"{PoolInvariants.LeaseConservation} violated", CoyoteSettings.CanaryIterations);

    [Fact]
    public void WaiterDeadlineLeftArmedCanary_TimerOutlivingItsWaitIsFoundAsI9() =>
        CoyoteRunner.AssertBugFound(CanaryScenarios.WaiterDeadlineLeftArmed_ReturnRacingTimeoutAndCancellation, output, "I9 Dispose is complete violated", CoyoteSettings.CanaryIterations);

    /// <summary>The canary built with no bug passes every shared-lease scenario: each canary above fails for its bug alone.</summary>
    [Theory]
    [InlineData(nameof(CanaryScenarios.Correct_ConcurrentAcquiresFillKAndSpillToACreate))]
    [InlineData(nameof(CanaryScenarios.Correct_InvalidateRacingTheOtherLeasesReturns))]
    [InlineData(nameof(CanaryScenarios.Correct_DoubleReturnOfOneSharedLease))]
    [InlineData(nameof(CanaryScenarios.Correct_DisposeWithSharedLeasesOut))]
    [InlineData(nameof(CanaryScenarios.Correct_FreedRoomGoesToWaitersInOrder))]
    public void CorrectCanary_PassesTheSharedLeaseScenarios(string scenario) =>
        CoyoteRunner.AssertNoBug(
            typeof(CanaryScenarios).GetMethod(scenario)!.CreateDelegate<Func<Task>>(), output, CoyoteSettings.CanaryIterations);
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

    [Test]
    public static Task LeaseOnFullConnection_ConcurrentAcquiresFillKAndSpillToACreate() =>
        SharedLeaseScenarios.RunConcurrentAcquiresFillKAndSpillToACreate(PoolTarget.LeaseOnFullConnectionCanary);

    [Test]
    public static Task LeaseOnBrokenConnection_InvalidateRacingTheOtherLeasesReturns() =>
        SharedLeaseScenarios.RunInvalidateRacingTheOtherLeasesReturns(PoolTarget.LeaseOnBrokenConnectionCanary);

    [Test]
    public static Task LeaseCountDecrementedTwice_DoubleReturnOfOneSharedLease() =>
        SharedLeaseScenarios.RunDoubleReturnOfOneSharedLease(PoolTarget.LeaseCountDecrementedTwiceCanary);

    [Test]
    public static Task WaiterDeadlineLeftArmed_ReturnRacingTimeoutAndCancellation() =>
        HandOffScenarios.RunReturnRacingTimeoutAndCancellation(PoolTarget.WaiterDeadlineLeftArmedCanary);

    /// <summary>The shared-lease scenarios that need no lifecycle operation, on the canary built with no bug.</summary>
    [Test]
    public static Task Correct_ConcurrentAcquiresFillKAndSpillToACreate() =>
        SharedLeaseScenarios.RunConcurrentAcquiresFillKAndSpillToACreate(PoolTarget.CorrectCanary);

    [Test]
    public static Task Correct_InvalidateRacingTheOtherLeasesReturns() =>
        SharedLeaseScenarios.RunInvalidateRacingTheOtherLeasesReturns(PoolTarget.CorrectCanary);

    [Test]
    public static Task Correct_DoubleReturnOfOneSharedLease() =>
        SharedLeaseScenarios.RunDoubleReturnOfOneSharedLease(PoolTarget.CorrectCanary);

    [Test]
    public static Task Correct_DisposeWithSharedLeasesOut() =>
        SharedLeaseScenarios.RunDisposeWithSharedLeasesOut(PoolTarget.CorrectCanary);

    [Test]
    public static Task Correct_FreedRoomGoesToWaitersInOrder() =>
        SharedLeaseScenarios.RunFreedRoomGoesToWaitersInOrder(PoolTarget.CorrectCanary);
}
