namespace Pool.Tests.Unit.State;

/// <summary>
/// The small operations the async shell calls around a wait, a create and a warm-up, each alone: a
/// waiter withdrawn after it queued, acquires counted as cancelled or timed out while they checked a
/// connection, the factory gate at dispose, the probe's schedule and a cancelled warm-up. Written
/// against surviving mutants (docs/mutation.md): each test pins the outcome a mutant there changed.
/// </summary>
public sealed class ShellHookStateTests
{
    [Fact]
    public void WaiterWithdrawn_Queued_LeavesTheQueueCountedAsNeitherCancelledNorTimedOut()
    {
        var rig = new StateRig(maxSize: 1, idle: 1);
        rig.Lease();
        var first = rig.Reserve(StateRig.Wait).Waiter!;
        var second = rig.Reserve(StateRig.Wait).Waiter!;
        rig.Work = default;

        Assert.True(rig.State.WaiterWithdrawn(first, ref rig.Work));

        Assert.False(first.IsQueued);
        Assert.False(first.Task.IsCompleted); // the caller decides its failure, after the lock
        Assert.True(second.IsQueued);
        Assert.True(rig.Work.IsEmpty);
        var stats = rig.Stats;
        Assert.Equal((1, 0L, 0L), (stats.Waiters, stats.Cancelled, stats.TimedOut));

        rig.Work = default;
        Assert.False(rig.State.WaiterWithdrawn(first, ref rig.Work));
        Assert.Equal(1, rig.Stats.Waiters);
    }

    [Fact]
    public void WaiterWithdrawn_KeepsTheOrderOfTheOthers_TheNextFailureReachesTheWaiterBehindIt()
    {
        var rig = new StateRig(maxSize: 2, maxConcurrentCreates: 1);
        var waiter = rig.Reserve(StateRig.Wait).Waiter!;
        var other = rig.Reserve(StateRig.Wait).Waiter!;
        Assert.Equal(1, rig.Stats.Creating);  // one create at a time; the second waiter's comes later
        rig.Work = default;

        Assert.True(rig.State.WaiterWithdrawn(waiter, ref rig.Work));
        rig.Fail(StateRig.Refused); // fails the remaining waiter: the queue is empty

        rig.Deliver();
        Assert.IsType<ConnectionCreateException>(other.Task.Exception!.InnerException);
        Assert.False(waiter.Task.IsCompleted);
        Assert.Equal((0, 0, 0), (rig.Work.CreatesToStart, rig.Stats.Creating, rig.Stats.Waiters)); // nobody left to create for
    }

    [Fact]
    public void AcquireCancelled_CountsOneCancellationAndChangesNothingElse()
    {
        var rig = new StateRig(maxSize: 2, idle: 1);
        rig.Lease();

        rig.State.AcquireCancelled();
        rig.State.AcquireCancelled();

        var stats = rig.Stats;
        Assert.Equal((2L, 0L, 1, 0), (stats.Cancelled, stats.TimedOut, stats.InUse, stats.Waiters));
    }

    [Fact]
    public void AcquireTimedOut_CountsOneTimeoutAndReturnsTheCountsAtThatMoment()
    {
        var rig = new StateRig(maxSize: 3, idle: 2);
        rig.Lease();
        rig.Lease();
        rig.Reserve(StateRig.Wait);

        var seen = rig.State.AcquireTimedOut();

        Assert.Equal((3, 2, 1, 1, 1L), (seen.MaxSize, seen.InUse, seen.Creating, seen.Waiters, seen.TimedOut));
        Assert.Equal((1L, 0L), (rig.Stats.TimedOut, rig.Stats.Cancelled));
        Assert.Equal(2L, rig.State.AcquireTimedOut().TimedOut);
    }

    [Fact]
    public void MayCallFactory_BeforeDispose_LetsTheCreateRunAndChangesNothing()
    {
        var rig = new StateRig(maxSize: 2);
        rig.Reserve(StateRig.Wait);
        rig.Work = default;

        Assert.True(rig.State.MayCallFactory(ref rig.Work));

        Assert.True(rig.Work.IsEmpty);
        Assert.Equal((1, 1), (rig.Stats.Creating, rig.Stats.Waiters));
        Assert.False(rig.State.IsDisposed);
    }

    [Fact]
    public void MayCallFactory_AfterDispose_FreesTheReservedSlotAndCompletesTheDrain()
    {
        var rig = new StateRig(maxSize: 2);
        rig.Reserve(StateRig.Wait);
        rig.State.Dispose(ref rig.Work, out var drained);
        Assert.True(rig.State.IsDisposed);
        Assert.Equal(1, rig.Stats.Creating);
        rig.Work = default;

        Assert.False(rig.State.MayCallFactory(ref rig.Work));

        Assert.Equal((0, 0), (rig.Stats.Creating, rig.Stats.Total));
        Assert.Same(drained, rig.Work.Drained?.Task); // the last slot is free: dispose may complete
        Assert.Equal(0, rig.Work.CreatesToStart);
    }

    [Fact]
    public void ProbeScheduled_WhileTheWindowIsOpen_IsWhatAFastFailedAcquireAndAWarmUpReport()
    {
        var rig = new StateRig(maxSize: 2, minSize: 1, failFastAfter: 1);
        rig.State.Start(ref rig.Work);
        rig.Fail(StateRig.Refused);
        var probe = new ProbeSchedule(DialsAt: 5_000, AnswerBy: 9_000);

        Assert.Null(rig.Reserve(StateRig.Wait).Probe); // not scheduled yet
        rig.State.ProbeScheduled(probe);

        Assert.Equal(probe, rig.Reserve(StateRig.Wait).Probe);
        Assert.Equal(new WarmUpRefusal(StateRig.Refused, 1, probe), rig.State.RegisterWarmUp(new TaskCompletionSource(), out bool registered));
        Assert.False(registered);

        rig.Fail(StateRig.Refused); // the probe failed: the next one is not scheduled yet
        Assert.Null(rig.Reserve(StateRig.Wait).Probe);
    }

    [Fact]
    public void WarmUpCancelled_Registered_IsNotCompletedWhenMinSizeOpensLater()
    {
        var rig = new StateRig(maxSize: 2, minSize: 1);
        rig.State.Start(ref rig.Work);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var staying = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Assert.Null(rig.State.RegisterWarmUp(cancelled, out bool first));
        Assert.Null(rig.State.RegisterWarmUp(staying, out bool second));
        Assert.True(first && second);

        rig.State.WarmUpCancelled(cancelled);
        rig.Succeed();
        rig.Work.RunLater();

        Assert.True(staying.Task.IsCompletedSuccessfully);
        Assert.False(cancelled.Task.IsCompleted);
    }

    [Fact]
    public void IsLockHeldByCurrentThread_OutsideAnyOperation_IsFalse()
    {
        var rig = new StateRig();

        Assert.False(rig.State.IsLockHeldByCurrentThread());
    }
}
