namespace Pool.Tests.Unit.State;

/// <summary>The state machine's operations on connections that serve several leases (MaxLeasesPerConnection &gt; 1), alone: exact counts and work.</summary>
public sealed class SharedLeaseStateTests
{
    [Fact]
    public void Reserve_SharedConnectionWithRoom_PlacesTheLeaseThereWithNoWork_UntilFullThenQueuesAndReservesOneCreate()
    {
        var rig = new StateRig(maxSize: 2, maxLeases: 3, idle: 1);

        var leases = Enumerable.Range(0, 3).Select(_ => rig.Reserve(StateRig.Wait)).ToArray();

        Assert.All(leases, r => Assert.Equal("c1", r.Lease.Connection));
        Assert.True(rig.Work.IsEmpty);
        Assert.Equal((1, 3, 3), rig.LeaseCounts());
        var spill = rig.Reserve(StateRig.Wait);
        Assert.NotNull(spill.Waiter);
        Assert.Equal((1, 1), (rig.Work.CreatesToStart, rig.Stats.Waiters));
    }

    [Fact]
    public void Settle_Waiters_ReserveOneCreatePerLimitOfWaiters_AndANewConnectionServesThatMany()
    {
        var rig = new StateRig(maxSize: 4, maxConcurrentCreates: 4, maxLeases: 2);
        for (int i = 0; i < 5; i++)
        {
            rig.Reserve(StateRig.Wait);
        }

        Assert.Equal((5, 3), (rig.Stats.Waiters, rig.Stats.Creating)); // ⌈5 / 2⌉
        rig.Succeed();

        Assert.Equal(2, rig.Work.WaiterCount);
        Assert.Equal((3, 2), (rig.Stats.Waiters, rig.Stats.Creating));
        Assert.Equal((1, 2, 2), rig.LeaseCounts());
    }

    [Fact]
    public void Reserve_IdleConnectionDueForItsCheck_IsHeldByTheCheck_UntilCheckPassedOpensItToTheWaiter()
    {
        var rig = OneConnectionDueForItsCheck();

        var checkedLease = rig.Lease();
        var waiter = rig.Reserve(StateRig.Wait).Waiter;

        Assert.Equal(checkedLease.LeaseId, checkedLease.Entry!.CheckingLease);
        Assert.NotNull(waiter);
        Assert.Equal((0, 1), (rig.Work.CreatesToStart, rig.Stats.Waiters)); // MaxSize 1: it waits for the check
        Assert.Equal((1, 1, 1), rig.LeaseCounts());
        rig.CheckPassed(checkedLease);

        Assert.Equal(1, rig.Work.WaiterCount);
        Assert.Equal(0L, checkedLease.Entry.CheckingLease);
        Assert.Equal((1, 2, 2), rig.LeaseCounts());
    }

    [Fact]
    public void Reserve_ConnectionWithLeases_IsNeverHeldForACheck_AndTryAcquireNeverHoldsOne()
    {
        var rig = OneConnectionDueForItsCheck();
        rig.Work = default;

        var tried = rig.State.Reserve(rig.Now, waitTimeout: null, ref rig.Work); // TryAcquire: never validates
        var beside = rig.Reserve(StateRig.Wait);

        Assert.Equal((0L, 0L), (tried.Lease.Entry!.CheckingLease, beside.Lease.Entry!.CheckingLease));
        Assert.Equal((1, 2, 2), rig.LeaseCounts());
    }

    [Fact]
    public void Return_CheckFailed_RetiresTheConnection_ThatNoOtherLeaseJoined()
    {
        var rig = OneConnectionDueForItsCheck();
        var checkedLease = rig.Lease();

        rig.Return(checkedLease, DestroyReason.ValidationFailed);

        Assert.Equal(1, rig.Work.DestroyCount);
        Assert.Equal((0, 0, 0), rig.LeaseCounts());
        Assert.Equal(1L, rig.Stats.DestroyedValidationFailed);
    }

    [Fact]
    public void Return_InvalidatedWhileOtherLeasesHoldTheConnection_DrainsIt_AndOnlyTheLastReturnRetiresIt()
    {
        var rig = new StateRig(maxSize: 1, maxLeases: 3);
        var broken = rig.OpenOneAndLease();
        var other = rig.Lease();
        Assert.True(broken.Entry!.TryInvalidate(broken.LeaseId));

        rig.Return(broken);

        Assert.Equal(0, rig.Work.DestroyCount);
        Assert.Equal(DestroyReason.Invalidated, other.Entry!.Draining);
        var waiter = rig.Reserve(StateRig.Wait).Waiter;
        Assert.NotNull(waiter);
        Assert.Equal((1, 1, 1), rig.LeaseCounts());
        rig.Return(other);

        Assert.Equal(1, rig.Work.DestroyCount);
        Assert.Equal((1L, 0, 1), (rig.Stats.DestroyedInvalidated, rig.Stats.InUse, rig.Stats.Destroying));
        rig.DestroyFinished(entry: other.Entry);
        Assert.Equal(1, rig.Work.CreatesToStart); // the slot serves the waiter
    }

    [Fact]
    public void Clear_SharedConnectionWithLeases_Drains_NoReserveLandsOnIt_AndItsLastReturnRetiresItAsCleared()
    {
        var rig = new StateRig(maxSize: 2, maxLeases: 3);
        var held = rig.OpenOneAndLease();
        rig.Work = default;

        rig.State.Clear(ref rig.Work);
        var next = rig.Reserve(StateRig.Wait);

        Assert.Equal(DestroyReason.Cleared, held.Entry!.Draining);
        Assert.NotNull(next.Waiter);
        Assert.Equal(1, rig.Work.CreatesToStart);
        rig.Return(held);
        Assert.Equal((1, 1L), (rig.Work.DestroyCount, rig.Stats.DestroyedCleared));
        Assert.Equal((0, 0, 0), rig.LeaseCounts());
    }

    [Fact]
    public void SetMaxSize_Lowered_DrainsTheLeastBusySurplusConnectionWithLeases_AndKeepsTheOther()
    {
        var rig = new StateRig(maxSize: 2, maxLeases: 2, idle: 2);
        var onNewer = rig.Lease(); // c2, the newest idle
        var onOlder = rig.Lease(); // c1
        var second = rig.Lease();  // c1 again: the oldest of the two with one lease
        rig.Work = default;

        rig.State.SetMaxSize(1, ref rig.Work);

        Assert.Equal(("c2", "c1", "c1"), (onNewer.Connection, onOlder.Connection, second.Connection));
        Assert.Equal(DestroyReason.Surplus, onNewer.Entry!.Draining);
        Assert.Null(onOlder.Entry!.Draining);
        Assert.Equal(0, rig.Work.DestroyCount);
        rig.Return(onNewer);
        Assert.Equal((1, 1L), (rig.Work.DestroyCount, rig.Stats.DestroyedSurplus));
        Assert.Equal((1, 2, 2), rig.LeaseCounts());
    }

    [Fact]
    public void Maintain_SharedConnectionPastItsLifetime_DrainsIt_AndNoReserveLandsOnIt()
    {
        var rig = new StateRig(maxSize: 2, maxLeases: 3);
        rig.Open(1, expiresAt: 1_500);
        var held = rig.Lease();
        rig.Now = 2_000;
        rig.Work = default;
        List<(long LeasedAt, StackTrace? Site)>? leaks = null;

        Assert.True(rig.State.Maintain(rig.Now, ref rig.Work, ref leaks));

        Assert.Equal(DestroyReason.Expired, held.Entry!.Draining);
        Assert.NotNull(rig.Reserve(StateRig.Wait).Waiter);
        rig.Return(held);
        Assert.Equal((1, 1L), (rig.Work.DestroyCount, rig.Stats.DestroyedExpired));
    }

    [Fact]
    public void Maintain_LeakDetection_ReportsEachSharedLeaseHeldPastTheThresholdOnce()
    {
        var rig = new StateRig(maxSize: 1, maxLeases: 3, leakThresholdTicks: 100, idle: 1);
        var site = new StackTrace();
        var first = rig.Lease(site);
        rig.Now += 50;
        var second = rig.Lease();
        rig.Now += 60;
        List<(long LeasedAt, StackTrace? Site)>? leaks = null;

        rig.State.Maintain(rig.Now, ref rig.Work, ref leaks);
        rig.State.Maintain(rig.Now, ref rig.Work, ref leaks);

        var leak = Assert.Single(leaks!);
        Assert.Equal((1_000L, site), (leak.LeasedAt, leak.Site));
        Assert.Equal(1_000L, rig.Return(first));
        Assert.Equal(0L, rig.Return(second));
    }

    [Fact]
    public void Dispose_WithSharedLeasesOut_DrainsTheConnection_AndItsLastReturnRetiresItAsDisposed()
    {
        var rig = new StateRig(maxSize: 1, maxLeases: 2);
        var a = rig.OpenOneAndLease();
        var b = rig.Lease();
        rig.Work = default;

        rig.State.Dispose(ref rig.Work, out _);
        rig.Return(a);

        Assert.Equal(DestroyReason.Disposed, b.Entry!.Draining);
        Assert.Equal(0, rig.Work.DestroyCount);
        rig.Return(b);
        Assert.Equal((1, 1L), (rig.Work.DestroyCount, rig.Stats.DestroyedDisposed));
    }

    /// <summary>One slot for up to 3 leases, checked on borrow after 100 ticks idle; its one connection has been idle 200.</summary>
    private static StateRig OneConnectionDueForItsCheck()
    {
        var rig = new StateRig(maxSize: 1, maxLeases: 3, validateAfterIdleTicks: 100);
        rig.Open(1, idleTicks: 200);
        return rig;
    }
}
