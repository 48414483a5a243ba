namespace Pool.Tests.Unit.State;

/// <summary>
/// The edges of the state machine's decisions on connections that serve several leases, each alone:
/// placement ties, a broken or stale connection met on the way, the check on borrow, draining on
/// clear, dispose and shrink. Written against surviving mutants (docs/mutation.md): each test pins the
/// outcome a mutant there changed.
/// </summary>
public sealed class SharedLeaseBoundaryStateTests
{
    [Fact]
    public void Return_OneOfTwoLeases_KeepsTheConnectionServing()
    {
        var rig = new StateRig(maxSize: 1, maxLeases: 2, idle: 1);
        var first = rig.Lease();
        rig.Lease();

        rig.Return(first);

        Assert.Null(first.Entry!.Draining);
        Assert.Same(first.Entry, rig.Reserve(StateRig.Wait).Lease.Entry);
    }

    [Fact]
    public void Reserve_EqualLeasesOnTwoConnections_PlacesOnTheOldest()
    {
        var rig = new StateRig(maxSize: 2, maxLeases: 2, idle: 1);
        var c1 = rig.Lease();                 // c1 joins the connections holding leases first
        rig.State.SetMinSize(2, ref rig.Work);
        rig.Succeed();
        var c2 = rig.Lease();                 // c2, newer, joins second
        Assert.Equal(("c1", "c2"), (c1.Connection, c2.Connection));

        var third = rig.Reserve(StateRig.Wait);

        Assert.Equal("c1", third.Lease.Connection);
    }

    [Fact]
    public void Reserve_ConnectionBack_FromIdle_IsPlacedOnAgain()
    {
        var rig = new StateRig(maxSize: 2, maxLeases: 2, idle: 1);
        rig.Return(rig.Lease());              // leaves the list of connections holding leases, back to idle

        var again = rig.Lease();
        var beside = rig.Reserve(StateRig.Wait);

        Assert.Same(again.Entry, beside.Lease.Entry);
        Assert.Equal((1, 2, 2), rig.LeaseCounts());
    }

    [Fact]
    public void Reserve_ConnectionInvalidatedByALeaseNotYetReturned_TakesNoNewLease()
    {
        var rig = new StateRig(maxSize: 2, maxLeases: 3, idle: 1);
        var broken = rig.Lease();
        rig.Lease();
        Assert.True(broken.Entry!.TryInvalidate(broken.LeaseId));

        var next = rig.Reserve(StateRig.Wait);

        Assert.Null(next.Lease.Entry);
        Assert.NotNull(next.Waiter);
        Assert.Equal(DestroyReason.Invalidated, broken.Entry.Draining);
        Assert.Equal(1, rig.Work.CreatesToStart);
    }

    [Fact]
    public void Reserve_IdleShorterThanValidateAfterIdle_IsNotChecked()
    {
        var rig = new StateRig(maxSize: 1, maxLeases: 2, validateAfterIdleTicks: 100, idle: 1);
        rig.Now += 100;                       // exactly ValidateAfterIdle: not past it

        var lease = rig.Lease();

        Assert.Equal(0L, lease.Entry!.CheckingLease);
        Assert.Same(lease.Entry, rig.Reserve(StateRig.Wait).Lease.Entry);
    }

    [Fact]
    public async Task Settle_ValidateEveryBorrow_HoldsAConnectionHandedToAWaiterForItsCheck()
    {
        var rig = new StateRig(maxSize: 1, maxLeases: 2, validateAfterIdleTicks: 0);
        var waiter = rig.Reserve(StateRig.Wait).Waiter!;

        rig.Succeed();
        rig.Deliver();

        var granted = await waiter.Task; // already completed: nothing is awaited
        Assert.Equal(granted.LeaseId, granted.Entry!.CheckingLease);
        Assert.NotNull(rig.Reserve(StateRig.Wait).Waiter); // no lease beside a check
    }

    [Fact]
    public void CheckPassed_ForAnotherLease_LeavesTheCheckInPlace()
    {
        var rig = new StateRig(maxSize: 1, maxLeases: 2, validateAfterIdleTicks: 100, idle: 1);
        rig.Now += 200;
        var checkedLease = rig.Lease();
        long otherLease = checkedLease.LeaseId + (1L << ConnectionEntry<string>.SlotBits);

        rig.Work = default;
        rig.State.CheckPassed(checkedLease.Entry!, otherLease, rig.Now, ref rig.Work);

        Assert.Equal(checkedLease.LeaseId, checkedLease.Entry!.CheckingLease);
        Assert.NotNull(rig.Reserve(StateRig.Wait).Waiter);
    }

    [Theory]
    [InlineData("expired")]
    [InlineData("cleared")]
    [InlineData("disposed")]
    public void CheckPassed_ConnectionGoneStaleDuringTheCheck_StartsDraining(string what)
    {
        var rig = new StateRig(maxSize: 1, maxLeases: 2, validateAfterIdleTicks: 100);
        rig.Open(1, expiresAt: rig.Now + 300);
        rig.Now += 200;
        var checkedLease = rig.Lease();
        DestroyReason expected;
        switch (what)
        {
            case "expired":
                rig.Now += 100;               // exactly at the expiry
                expected = DestroyReason.Expired;
                break;
            case "cleared":
                rig.State.Clear(ref rig.Work);
                expected = DestroyReason.Cleared;
                break;
            default:
                rig.State.Dispose(ref rig.Work, out _);
                expected = DestroyReason.Disposed;
                break;
        }

        rig.CheckPassed(checkedLease);

        Assert.Equal(expected, checkedLease.Entry!.Draining);
        Assert.Equal((1, 1, 1), rig.LeaseCounts());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ClearOrDispose_ConnectionWithLeases_DrainsAtOnce(bool dispose)
    {
        var rig = new StateRig(maxSize: 1, maxLeases: 2, idle: 1);
        var lease = rig.Lease();

        if (dispose)
        {
            rig.State.Dispose(ref rig.Work, out _);
        }
        else
        {
            rig.State.Clear(ref rig.Work);
        }

        Assert.Equal(dispose ? DestroyReason.Disposed : DestroyReason.Cleared, lease.Entry!.Draining);
    }

    [Fact]
    public void SetMaxSize_Lower_WithEveryConnectionFull_DrainsOneAndOnlyOne()
    {
        var rig = new StateRig(maxSize: 2, maxLeases: 2, idle: 2);
        var leases = Enumerable.Range(0, 4).Select(_ => rig.Lease()).ToArray();
        var entries = leases.Select(l => l.Entry!).Distinct().ToArray();
        Assert.Equal(2, entries.Length);

        rig.State.SetMaxSize(1, ref rig.Work);
        rig.State.SetMaxSize(1, ref rig.Work); // again: the one draining already counts

        Assert.Equal(1, entries.Count(e => e.Draining == DestroyReason.Surplus));
        Assert.Equal((2, 4, 2), rig.LeaseCounts());
    }
}
