namespace Pool.Tests.Unit.State;

/// <summary>
/// The state machine's bounds on abandoned work, with no pool, timers or tasks: a create abandoned at
/// CreateTimeout counts against MaxConcurrentCreates until its factory call ends (I8), and every
/// connection outside the slots counts in Total + Abandoned ≤ MaxSize + MaxConcurrentCreates (I1).
/// </summary>
public sealed class AbandonedWorkStateTests
{
    [Fact]
    public void CreateTimedOut_TheAbandonedCallStillRunning_BlocksTheReplacementUntilItEnds()
    {
        var rig = new StateRig(maxSize: 1, maxConcurrentCreates: 1);
        rig.Reserve(StateRig.Wait);
        rig.Reserve(StateRig.Wait);
        using var attempt = new CreateAttempt(CancellationToken.None);

        rig.Work = default;
        Assert.True(rig.State.CreateTimedOut(attempt, new TimeoutException("hung"), ref rig.Work));

        Assert.Equal(0, rig.Work.CreatesToStart);
        var stats = rig.Stats;
        Assert.Equal((0, 1, 1, 1), (stats.Creating, stats.AbandonedCreates, stats.Abandoned, stats.Waiters));
        Assert.Null(PoolInvariants.FindViolation(stats));

        rig.Fail(new InvalidOperationException("the hung call failed at last"), attempt);

        Assert.Equal(1, rig.Work.CreatesToStart);
        Assert.Equal((1, 0, 0), (rig.Stats.Creating, rig.Stats.AbandonedCreates, rig.Stats.Abandoned));
    }

    [Fact]
    public void CreateSucceeded_LateConnection_LeavesTheCreateCapButStaysInTheBackendBound()
    {
        var rig = new StateRig(maxSize: 1, maxConcurrentCreates: 1);
        rig.Reserve(StateRig.Wait);
        using var attempt = new CreateAttempt(CancellationToken.None);
        rig.State.CreateTimedOut(attempt, new TimeoutException("hung"), ref rig.Work);
        rig.Reserve(StateRig.Wait);
        Assert.Equal(0, rig.Work.CreatesToStart);

        var late = rig.Succeed(attempt: attempt);

        // One connection at the backend (the late one) plus one slot: MaxSize 1 + MaxConcurrentCreates 1.
        Assert.NotNull(late);
        Assert.Equal(1, rig.Work.CreatesToStart);
        Assert.Equal((1, 0, 1), (rig.Stats.Creating, rig.Stats.AbandonedCreates, rig.Stats.Abandoned));
        Assert.Null(PoolInvariants.FindViolation(rig.Stats));
    }

    [Fact]
    public void DestroyTimedOut_FreesTheSlotCountsTheConnectionAsAbandonedAndTheLateFinishOnlyLeavesTheCount()
    {
        var rig = new StateRig(maxSize: 1, maxConcurrentCreates: 1);
        var lease = rig.OpenOneAndLease();
        rig.Return(lease, DestroyReason.Invalidated);
        var entry = lease.Entry!;
        Assert.Equal((1, 1), (rig.Stats.Destroying, rig.Stats.Total));

        rig.Work = default;
        Assert.True(rig.State.DestroyTimedOut(entry, ref rig.Work));

        var stats = rig.Stats;
        Assert.Equal((0, 0, 1, 1L, 1L), (stats.Destroying, stats.Total, stats.Abandoned, stats.Destroyed, stats.DestroyTimeouts));
        rig.Work = default;
        Assert.False(rig.State.DestroyTimedOut(entry, ref rig.Work)); // decided once

        rig.DestroyFinished(failed: true, entry: entry);

        stats = rig.Stats;
        Assert.Equal((0, 1L, 1L), (stats.Abandoned, stats.Destroyed, stats.DestroyFailures));
    }

    [Fact]
    public void DestroyTimedOut_AfterTheDestroyFinished_ChangesNothing()
    {
        var rig = new StateRig(maxSize: 1, maxConcurrentCreates: 1);
        var lease = rig.OpenOneAndLease();
        rig.Return(lease, DestroyReason.Invalidated);
        rig.DestroyFinished(entry: lease.Entry);

        rig.Work = default;
        Assert.False(rig.State.DestroyTimedOut(lease.Entry!, ref rig.Work));

        Assert.Equal((0, 1L, 0L), (rig.Stats.Abandoned, rig.Stats.Destroyed, rig.Stats.DestroyTimeouts));
    }

    [Fact]
    public void AbandonedDestroys_FillTheBackendBound_NoCreateIsReservedBeyondMaxSizePlusMaxConcurrentCreates()
    {
        var rig = new StateRig(maxSize: 1, maxConcurrentCreates: 1);
        var abandoned = new List<ConnectionEntry<string>>();
        for (int i = 0; i < 2; i++)
        {
            var lease = rig.OpenOneAndLease();
            rig.Return(lease, DestroyReason.Invalidated);
            rig.State.DestroyTimedOut(lease.Entry!, ref rig.Work);
            abandoned.Add(lease.Entry!);
        }

        rig.Reserve(StateRig.Wait);

        var stats = rig.Stats;
        Assert.Equal((0, 0, 2, 1), (stats.Total, stats.Creating, stats.Abandoned, stats.Waiters));
        Assert.Null(PoolInvariants.FindViolation(stats)); // the waiter is blocked by the bound, not lost (I4)

        rig.DestroyFinished(entry: abandoned[0]);

        Assert.Equal(1, rig.Work.CreatesToStart);
        Assert.Equal((1, 1), (rig.Stats.Creating, rig.Stats.Abandoned));
    }

    [Fact]
    public void SetMaxSize_LoweredWhileAbandonedWorkExceedsMaxConcurrentCreates_KeepsTheBackendBoundOnTheCeiling()
    {
        var rig = new StateRig(maxSize: 3, maxConcurrentCreates: 1, idle: 3);
        var leases = new[] { rig.Lease(), rig.Lease(), rig.Lease() };
        foreach (var lease in leases)
        {
            rig.Return(lease, DestroyReason.Invalidated);
            rig.State.DestroyTimedOut(lease.Entry!, ref rig.Work);
        }

        rig.Work = default;
        rig.State.SetMaxSize(1, ref rig.Work);

        var stats = rig.Stats;
        Assert.Equal((1, 2, 0, 3), (stats.MaxSize, stats.Ceiling, stats.Total, stats.Abandoned));
        Assert.Null(PoolInvariants.FindViolation(stats));
        foreach (var lease in leases)
        {
            rig.DestroyFinished(entry: lease.Entry);
        }

        Assert.Equal((1, 0), (rig.Stats.Ceiling, rig.Stats.Abandoned));
    }
}
