namespace Pool.Tests.Systematic.Scenarios;

/// <summary>
/// Every scenario's <c>[Test]</c> entry point run under xunit against the real pool: no bug in
/// <see cref="CoyoteSettings"/>' iterations. The scenarios and their entry points for
/// <c>dotnet coyote test -m</c> live in their families' files (<c>*Scenarios.cs</c>); the canaries run the same
/// scenarios against buggy pools in <c>Canaries/CanaryTests.cs</c>.
/// </summary>
public sealed class ScenarioTests(ITestOutputHelper output)
{
    // CapacityScenarios
    [Fact]
    public void ConcurrentAcquiresAtCapacity_NeverExceedMaxSizeAndAllGetALease() =>
        CoyoteRunner.AssertNoBug(CapacityScenarios.ConcurrentAcquiresAtCapacity, output);

    // CreateFailureScenarios
    [Fact]
    public void CreateFailureWithWaiterBehind_FreesTheSlotAndServesTheWaiter() =>
        CoyoteRunner.AssertNoBug(CreateFailureScenarios.CreateFailureWithWaiterBehind, output);

    [Fact]
    public void AcquirerCancelledDuringItsCreate_CreateCompletesAndServesTheNextWaiter() =>
        CoyoteRunner.AssertNoBug(CreateFailureScenarios.AcquirerCancelledDuringItsCreate, output);

    // HandOffScenarios
    [Fact]
    public void ReturnRacingTimeoutAndCancellation_NeverLosesTheConnectionOrLeavesAWaiterQueued() =>
        CoyoteRunner.AssertNoBug(HandOffScenarios.ReturnRacingTimeoutAndCancellation, output);

    [Fact]
    public void ReturnRacingNewWaiter_WakesTheWaiter() =>
        CoyoteRunner.AssertNoBug(HandOffScenarios.ReturnRacingNewWaiter, output);

    // LeaseScenarios
    [Fact]
    public void InvalidateRacingReturn_DestroysAtMostOnceAndServesTheWaiter() =>
        CoyoteRunner.AssertNoBug(LeaseScenarios.InvalidateRacingReturn, output);

    [Fact]
    public void DoubleReturnFromTwoTasks_IsTakenOnceAndNeverLeasesTwice() =>
        CoyoteRunner.AssertNoBug(LeaseScenarios.DoubleReturnFromTwoTasks, output);

    [Fact]
    public void ThrowingDestroyOfInvalidatedConnection_StillFreesTheSlotForTheWaiter() =>
        CoyoteRunner.AssertNoBug(LeaseScenarios.ThrowingDestroyOfInvalidatedConnection, output);

    // DisposeScenarios
    [Fact]
    public void DisposeRacingAcquiresReturnsAndCreates_EndsEveryAcquireAndDestroysEverything() =>
        CoyoteRunner.AssertNoBug(DisposeScenarios.DisposeRacingAcquiresReturnsAndCreates, output);

    [Fact]
    public void DisposeFromTwoTasksWithAWaiter_IsIdempotentAndBothComplete() =>
        CoyoteRunner.AssertNoBug(DisposeScenarios.DisposeFromTwoTasksWithAWaiter, output);

    [Fact]
    public void MixedAcquiresAllEnd_WithExactlyOneAllowedOutcomeEach() =>
        CoyoteRunner.AssertNoBug(DisposeScenarios.MixedAcquiresAllEnd, output);

    // WarmUpScenarios
    [Fact]
    public void WarmUpRacingAcquires_KeepsCapacityAndEndsEveryAcquire() =>
        CoyoteRunner.AssertNoBug(WarmUpScenarios.WarmUpRacingAcquires, output);

    // ChurnScenarios
    [Fact]
    public void RandomClientsAndFaults_KeepEveryInvariantAndEndEveryAcquire() =>
        CoyoteRunner.AssertNoBug(ChurnScenarios.RandomClientsAndFaults, output);

    // LifecycleScenarios
    [Fact]
    public void MaintenanceRacingAcquiresAndReturns_ExpiresReapsAndRefillsWithoutStarvingAcquires() =>
        CoyoteRunner.AssertNoBug(LifecycleScenarios.MaintenanceRacingAcquiresAndReturns, output);

    [Fact]
    public void ClearRacingAcquiresAndReturns_NeverHandsOutAConnectionOlderThanTheClear() =>
        CoyoteRunner.AssertNoBug(LifecycleScenarios.ClearRacingAcquiresAndReturns, output);

    [Fact]
    public void ClearRacingCreateInFlight_AConnectionOpenedBeforeClearIsNeverHandedOutAfterIt() =>
        CoyoteRunner.AssertNoBug(LifecycleScenarios.ClearRacingCreateInFlight, output);

    [Fact]
    public void SetMaxSizeRacingAcquiresAndReturns_StaysUnderTheCeilingAndFailsNoLease() =>
        CoyoteRunner.AssertNoBug(LifecycleScenarios.SetMaxSizeRacingAcquiresAndReturns, output);

    // FaultWindowScenarios
    [Fact]
    public void FastFailWindowOpensAndCloses_NobodyWaitsWhileUnavailableAndTheProbeCloses() =>
        CoyoteRunner.AssertNoBug(FaultWindowScenarios.FastFailWindowOpensAndCloses, output);

    [Fact]
    public void CreateTimeoutRacingTheFactory_FreesTheSlotAndDestroysLateConnectionsOnce() =>
        CoyoteRunner.AssertNoBug(FaultWindowScenarios.CreateTimeoutRacingTheFactory, output);

    [Fact]
    public void ValidationFailingOrTimingOutRacingReturns_DestroysTheConnectionAndServesTheAcquire() =>
        CoyoteRunner.AssertNoBug(FaultWindowScenarios.ValidationFailingOrTimingOutRacingReturns, output);

    // AbandonedWorkScenarios
    [Fact]
    public void AbandonedCreateRacingMoreAcquires_NeverMoreCreateCallsInFlightThanMaxConcurrentCreates() =>
        CoyoteRunner.AssertNoBug(AbandonedWorkScenarios.AbandonedCreateRacingMoreAcquires, output);

    [Fact]
    public void AbandonedDestroyRacingAcquires_FreesTheSlotAndDisposeWaitsForTheDestroy() =>
        CoyoteRunner.AssertNoBug(AbandonedWorkScenarios.AbandonedDestroyRacingAcquires, output);

    // ValidationScenarios
    [Fact]
    public void CancelledValidationRacingAnotherAcquire_NothingTouchesTheConnectionUntilItsCheckReturns() =>
        CoyoteRunner.AssertNoBug(ValidationScenarios.CancelledValidationRacingAnotherAcquire, output);

    [Fact]
    public void DisposeRacingAValidatingAcquire_NoAcquireSucceedsOnceDisposeStarted() =>
        CoyoteRunner.AssertNoBug(ValidationScenarios.DisposeRacingAValidatingAcquire, output);

    // SharedLeaseScenarios
    [Fact]
    public void ConcurrentAcquiresFillKAndSpillToACreate_NeverMoreThanKPerConnection() =>
        CoyoteRunner.AssertNoBug(SharedLeaseScenarios.ConcurrentAcquiresFillKAndSpillToACreate, output);

    [Fact]
    public void InvalidateRacingTheOtherLeasesReturns_NoNewLeaseAndOneDestroyAtTheLastReturn() =>
        CoyoteRunner.AssertNoBug(SharedLeaseScenarios.InvalidateRacingTheOtherLeasesReturns, output);

    [Fact]
    public void DoubleReturnOfOneSharedLease_IsTakenOnce() =>
        CoyoteRunner.AssertNoBug(SharedLeaseScenarios.DoubleReturnOfOneSharedLease, output);

    [Fact]
    public void ExpiryRacingReturnsOnASharedConnection_DrainsAndDestroysAtTheLastReturn() =>
        CoyoteRunner.AssertNoBug(SharedLeaseScenarios.ExpiryRacingReturnsOnASharedConnection, output);

    [Fact]
    public void ClearRacingReturnsOnASharedConnection_DrainsAndDestroysAtTheLastReturn() =>
        CoyoteRunner.AssertNoBug(SharedLeaseScenarios.ClearRacingReturnsOnASharedConnection, output);

    [Fact]
    public void ShrinkRacingReturnsOnASharedConnection_DrainsTheSurplusAndStaysUnderTheCeiling() =>
        CoyoteRunner.AssertNoBug(SharedLeaseScenarios.ShrinkRacingReturnsOnASharedConnection, output);

    [Fact]
    public void DisposeWithSharedLeasesOut_DestroysOnceAfterTheLastReturn() =>
        CoyoteRunner.AssertNoBug(SharedLeaseScenarios.DisposeWithSharedLeasesOut, output);

    [Fact]
    public void FreedRoomGoesToWaitersInOrder_FifoAndNoLostWakeUpPerLease() =>
        CoyoteRunner.AssertNoBug(SharedLeaseScenarios.FreedRoomGoesToWaitersInOrder, output);
}
