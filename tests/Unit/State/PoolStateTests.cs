namespace Pool.Tests.Unit.State;

/// <summary>
/// Each operation of the state machine, alone: the exact counts it leaves, which waiter it decides,
/// and the work it hands back for after the lock. No pool, factory, timer or task is involved.
/// </summary>
public sealed class PoolStateTests
{
    [Fact]
    public void Start_WithMinSize_ReservesThatManyCreatesUpToTheCreateCap()
    {
        var rig = new StateRig(maxSize: 4, minSize: 3, maxConcurrentCreates: 2);

        rig.State.Start(ref rig.Work);

        Assert.Equal(2, rig.Work.CreatesToStart);
        Assert.Equal((0, false, 0L), (rig.Work.CreateFailuresBefore, rig.Work.Probe, rig.Work.CreateGeneration));
        Assert.Equal((2, 0, 0), (rig.Stats.Creating, rig.Stats.Idle, rig.Stats.Waiters));
    }

    [Fact]
    public void Reserve_WithIdleConnections_LeasesTheNewestAndReturnsNoWork()
    {
        var rig = new StateRig(maxSize: 3, idle: 2);

        var reservation = rig.Reserve(StateRig.Wait);

        Assert.Equal("c2", reservation.Lease.Connection);
        Assert.Null(reservation.Waiter);
        Assert.True(rig.Work.IsEmpty);
        var stats = rig.Stats;
        Assert.Equal((1, 1, 0, 1L), (stats.Idle, stats.InUse, stats.Creating, stats.Acquired));
    }

    [Fact]
    public void Reserve_WithNothingIdle_QueuesAWaiterAndReservesOneCreateForIt()
    {
        var rig = new StateRig(maxSize: 2);

        var reservation = rig.Reserve(StateRig.Wait);

        Assert.NotNull(reservation.Waiter);
        Assert.True(reservation.Waiter.IsQueued);
        Assert.Equal(StateRig.Wait, reservation.Waiter.Timeout);
        Assert.Equal(1, rig.Work.CreatesToStart);
        Assert.Equal(0, rig.Work.WaiterCount);
        Assert.Equal((1, 1), (rig.Stats.Waiters, rig.Stats.Creating));
    }

    [Fact]
    public void Reserve_AtMaxSize_QueuesWithoutReservingACreate()
    {
        var rig = new StateRig(maxSize: 1);
        rig.OpenOneAndLease();

        var reservation = rig.Reserve(StateRig.Wait);

        Assert.NotNull(reservation.Waiter);
        Assert.Equal(0, rig.Work.CreatesToStart);
        Assert.Equal((1, 1, 0), (rig.Stats.InUse, rig.Stats.Waiters, rig.Stats.Creating));
    }

    [Fact]
    public void Reserve_WithoutAWait_NeitherQueuesNorCreates()
    {
        var rig = new StateRig(maxSize: 2);

        var reservation = rig.Reserve(wait: null);

        Assert.Null(reservation.Lease.Entry);
        Assert.Null(reservation.Waiter);
        Assert.False(reservation.Disposed);
        Assert.True(rig.Work.IsEmpty);
        Assert.Equal(0, rig.Stats.Total);
    }

    [Fact]
    public void Reserve_IdleExpiredOrCleared_RetiresThemAndLeasesAFreshOne()
    {
        var rig = new StateRig(maxSize: 3);
        rig.State.SetMinSize(1, ref rig.Work);
        rig.Succeed();                           // c1: fresh
        rig.State.SetMinSize(2, ref rig.Work);
        rig.Succeed(expiresAt: rig.Now + 10);    // c2: expires
        rig.Now += 10;

        var reservation = rig.Reserve(StateRig.Wait);

        Assert.Equal("c1", reservation.Lease.Connection);
        Assert.Equal(1, rig.Work.DestroyCount);
        var stats = rig.Stats;
        Assert.Equal((1L, 1, 1), (stats.DestroyedExpired, stats.Destroying, stats.InUse));
    }

    [Fact]
    public void Return_WithATimeReadBeforeALaterOperation_JudgesExpiryByTheLatestTime()
    {
        // A return reads the clock before the lock; another operation may take the lock first with a
        // later time. Judged by its own earlier time, the return would put back to idle a connection
        // the pool has already seen expire (found by the Coyote shared-lease expiry scenario).
        var rig = new StateRig(maxSize: 2);
        rig.Open(1, expiresAt: rig.Now + 10);    // c1: expires at 1,010
        var lease = rig.Lease();
        long readBeforeTheLock = rig.Now + 5;    // the returner's clock read: not expired yet
        rig.Now += 20;
        Assert.Null(rig.Reserve(wait: null).Lease.Entry); // TryAcquire at 1,020: nothing idle, but the state has seen 1,020

        Assert.True(lease.Entry!.TryEndLease(lease.LeaseId, out bool invalidated));
        rig.Work = default;
        rig.State.Return(lease.Entry, lease.LeaseId, invalidated, forced: null, readBeforeTheLock, ref rig.Work);

        var stats = rig.Stats;
        Assert.Equal((0, 1L, 1), (stats.Idle, stats.DestroyedExpired, rig.Work.DestroyCount));
    }

    [Fact]
    public void Reserve_Disposed_RefusesWithoutQueueing()
    {
        var rig = new StateRig();
        rig.State.Dispose(ref rig.Work, out _);

        var reservation = rig.Reserve(StateRig.Wait);

        Assert.True(reservation.Disposed);
        Assert.Null(reservation.Waiter);
        Assert.Equal(0, rig.Stats.Waiters);
    }

    [Fact]
    public async Task Return_WithAWaiterQueued_GrantsThatWaiterAndDestroysNothing()
    {
        var rig = new StateRig(maxSize: 1);
        var lease = rig.OpenOneAndLease();
        var waiter = rig.Queue();

        rig.Return(lease);

        Assert.Equal((1, 0, 0), (rig.Work.WaiterCount, rig.Work.DestroyCount, rig.Work.CreatesToStart));
        Assert.False(waiter.Task.IsCompleted); // decided under the lock, completed only after it
        rig.Deliver();
        var granted = await waiter.Task; // already completed: nothing is awaited
        Assert.Same(lease.Entry, granted.Entry);
        Assert.True(granted.IsActive);
        Assert.False(lease.IsActive);
        var stats = rig.Stats;
        Assert.Equal((0, 1, 0, 2L), (stats.Idle, stats.InUse, stats.Waiters, stats.Acquired));
    }

    [Fact]
    public void Return_TwoWaitersQueued_GrantsTheOldestFirst()
    {
        var rig = new StateRig(maxSize: 1);
        var lease = rig.OpenOneAndLease();
        var first = rig.Queue();
        var second = rig.Queue();

        rig.Return(lease);
        rig.Deliver();

        Assert.True(first.Task.IsCompletedSuccessfully);
        Assert.True(second.IsQueued);
        Assert.False(second.Task.IsCompleted);
        Assert.Equal(1, rig.Stats.Waiters);
    }

    [Fact]
    public void Return_NoWaiter_PutsTheConnectionBackIdle()
    {
        var rig = new StateRig(maxSize: 2);
        var lease = rig.OpenOneAndLease();
        rig.Now += 5;

        rig.Return(lease);

        Assert.True(rig.Work.IsEmpty);
        Assert.True(lease.Entry!.IsIdle);
        Assert.Equal(rig.Now, lease.Entry.IdleSince);
        Assert.Equal((1, 0), (rig.Stats.Idle, rig.Stats.InUse));
    }

    [Fact]
    public void Return_Invalidated_HoldsTheSlotUntilTheDestroyFinishesThenCreatesForTheWaiter()
    {
        var rig = new StateRig(maxSize: 1);
        var lease = rig.OpenOneAndLease();
        var waiter = rig.Queue();
        lease.Invalidate();

        rig.Return(lease);

        Assert.Equal((1, 0, 0), (rig.Work.DestroyCount, rig.Work.CreatesToStart, rig.Work.WaiterCount));
        Assert.Equal(DestroyReason.Invalidated, lease.Entry!.RetiredFor);
        Assert.Equal((1, 1, 1L), (rig.Stats.Destroying, rig.Stats.Waiters, rig.Stats.DestroyedInvalidated));

        rig.DestroyFinished();

        Assert.Equal(1, rig.Work.CreatesToStart);
        Assert.Equal((0, 1, 1L), (rig.Stats.Destroying, rig.Stats.Creating, rig.Stats.Destroyed));
        Assert.True(waiter.IsQueued);
    }

    [Fact]
    public void Return_AfterMaxSizeWasLowered_RetiresTheSurplusConnection()
    {
        var rig = new StateRig(maxSize: 2, idle: 2);
        var a = rig.Lease();
        var b = rig.Lease();
        rig.State.SetMaxSize(1, ref rig.Work);
        Assert.Equal(2, rig.Stats.Ceiling);

        rig.Return(a);

        Assert.Equal(1, rig.Work.DestroyCount);
        Assert.Equal(DestroyReason.Surplus, a.Entry!.RetiredFor);
        rig.DestroyFinished();
        Assert.Equal((1, 1), (rig.Stats.Ceiling, rig.Stats.Total));
        rig.Return(b);
        Assert.Equal((1, 0), (rig.Stats.Idle, rig.Work.DestroyCount));
    }

    [Fact]
    public void CreateFailed_BelowFailFastAfter_FailsOnlyTheOldestWaiterAndRetriesWithBackoff()
    {
        var rig = new StateRig(maxSize: 2, maxConcurrentCreates: 1, failFastAfter: 3);
        var first = rig.Queue();
        var second = rig.Queue();

        rig.Fail(StateRig.Refused);

        Assert.Same(StateRig.Refused, rig.Work.CreateError);
        Assert.Equal((1, false), (rig.Work.ConsecutiveFailures, rig.Work.WindowOpened));
        Assert.Equal((1, 1), (rig.Work.CreatesToStart, rig.Work.CreateFailuresBefore));
        rig.Deliver();
        var error = Assert.IsType<ConnectionCreateException>(first.Task.Exception!.InnerException);
        Assert.Equal("The pool 'state' could not create a connection: connection refused", error.Message);
        Assert.Same(StateRig.Refused, error.InnerException);
        Assert.True(second.IsQueued);
        var stats = rig.Stats;
        Assert.Equal((1, 1, 1L, 1, false), (stats.Waiters, stats.Creating, stats.CreateFailures, stats.ConsecutiveCreateFailures, stats.IsUnavailable));
    }

    [Fact]
    public void CreateFailed_AtFailFastAfter_OpensTheWindowAndFailsEveryWaiter()
    {
        var rig = new StateRig(maxSize: 2, maxConcurrentCreates: 1, failFastAfter: 1);
        var first = rig.Queue();
        var second = rig.Queue();

        rig.Fail(StateRig.Refused);

        Assert.True(rig.Work.WindowOpened);
        Assert.Equal(2, rig.Work.WaiterCount);
        Assert.Equal((1, true), (rig.Work.CreatesToStart, rig.Work.Probe)); // one probe, never a storm
        rig.Deliver();
        foreach (var waiter in new[] { first, second })
        {
            var error = Assert.IsType<PoolUnavailableException>(waiter.Task.Exception!.InnerException);
            Assert.StartsWith("The pool 'state' is unavailable: the last 1 creates failed, the last with: connection refused", error.Message, StringComparison.Ordinal);
        }

        var stats = rig.Stats;
        Assert.Equal((true, 0, 2L, 1), (stats.IsUnavailable, stats.Waiters, stats.FailedFast, stats.Creating));
    }

    [Fact]
    public void Reserve_WhileTheWindowIsOpen_FailsFastWithTheLastCause()
    {
        var rig = new StateRig(maxSize: 2, failFastAfter: 1);
        rig.Reserve(StateRig.Wait);
        rig.Fail(StateRig.Refused);

        var reservation = rig.Reserve(StateRig.Wait);

        Assert.Same(StateRig.Refused, reservation.UnavailableCause);
        Assert.Equal(1, reservation.Failures);
        Assert.Null(reservation.Waiter);
        Assert.Equal((2L, 0), (rig.Stats.FailedFast, rig.Stats.Waiters));
    }

    [Fact]
    public void CreateSucceeded_AfterTheWindowOpened_ClosesItAndKeepsTheConnection()
    {
        var rig = new StateRig(maxSize: 2, failFastAfter: 1);
        rig.Reserve(StateRig.Wait);
        rig.Fail(StateRig.Refused);

        rig.Succeed();

        Assert.True(rig.Work.WindowClosed);
        var stats = rig.Stats;
        Assert.Equal((false, 0, 1, 0), (stats.IsUnavailable, stats.ConsecutiveCreateFailures, stats.Idle, stats.Creating));
    }

    [Fact]
    public void Clear_RetiresIdleBumpsTheGenerationAndRetiresOlderLeasesAndCreatesLater()
    {
        var rig = new StateRig(maxSize: 4, idle: 3);
        var lease = rig.Lease();
        rig.Reserve(wait: null); // leaves one idle
        rig.State.SetMinSize(4, ref rig.Work);
        Assert.Equal(1, rig.Work.CreatesToStart);
        Assert.Equal(0L, rig.Work.CreateGeneration);

        rig.Work = default;
        rig.State.Clear(ref rig.Work);

        Assert.Equal(1, rig.Work.DestroyCount);
        Assert.Equal((1L, 0, 1L), (rig.Stats.Generation, rig.Stats.Idle, rig.Stats.DestroyedCleared));

        rig.Succeed(generation: 0);              // the create reserved before the Clear
        Assert.Equal(1, rig.Work.DestroyCount);
        rig.Return(lease);                       // the lease taken before the Clear
        Assert.Equal(1, rig.Work.DestroyCount);
        Assert.Equal(DestroyReason.Cleared, lease.Entry!.RetiredFor);
        Assert.Equal((3L, 0), (rig.Stats.DestroyedCleared, rig.Stats.Idle));
    }

    [Fact]
    public void SetMaxSize_Lower_RetiresSurplusIdleOldestFirstAndRaisesTheCeilingForLeases()
    {
        var rig = new StateRig(maxSize: 4, idle: 3);
        var lease = rig.Lease(); // c3, the newest

        rig.State.SetMaxSize(1, ref rig.Work);

        Assert.Equal(2, rig.Work.DestroyCount);
        var stats = rig.Stats;
        Assert.Equal((1, 0, 1, 2, 3), (stats.MaxSize, stats.Idle, stats.InUse, stats.Destroying, stats.Ceiling));
        Assert.Equal(2L, stats.DestroyedSurplus);
        Assert.Equal("c3", lease.Connection);
    }

    [Fact]
    public void SetMaxSize_BelowMinSize_ThrowsAndChangesNothing()
    {
        var rig = new StateRig(maxSize: 4, minSize: 2);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => rig.State.SetMaxSize(1, ref rig.Work));

        Assert.StartsWith("maxSize must be at least 1 and at least MinSize (2).", error.Message, StringComparison.Ordinal);
        Assert.Equal(4, rig.State.MaxSize);
    }

    [Fact]
    public void CreateTimedOut_FreesTheSlotNowAndTheLateConnectionIsDestroyedWithoutOne()
    {
        var rig = new StateRig(maxSize: 1, failFastAfter: 3);
        var waiter = rig.Queue();
        using var attempt = new CreateAttempt(CancellationToken.None);
        var timeout = new TimeoutException("too slow");

        rig.Work = default;
        Assert.True(rig.State.CreateTimedOut(attempt, timeout, ref rig.Work));

        Assert.True(attempt.Abandoned);
        Assert.Same(timeout, rig.Work.CreateError);
        rig.Deliver();
        Assert.IsType<ConnectionCreateException>(waiter.Task.Exception!.InnerException);
        var stats = rig.Stats;
        Assert.Equal((0, 1, 1L, 1L), (stats.Creating, stats.Abandoned, stats.CreateTimeouts, stats.CreateFailures));

        var late = rig.Succeed(attempt: attempt);

        Assert.NotNull(late);
        Assert.Equal("c1", late.Connection);
        Assert.Equal((1L, 0L, 0, 0), (rig.Stats.LateConnections, rig.Stats.Created, rig.Stats.Idle, rig.Stats.Total));
        rig.DestroyFinished(late: true);
        Assert.Equal((0, 0L), (rig.Stats.Abandoned, rig.Stats.Destroyed));
    }

    [Fact]
    public void CreateTimedOut_AfterTheCreateFinished_ChangesNothing()
    {
        var rig = new StateRig(maxSize: 1);
        rig.Reserve(StateRig.Wait);
        using var attempt = new CreateAttempt(CancellationToken.None);
        rig.Succeed(attempt: attempt);
        rig.Work = default;

        Assert.False(rig.State.CreateTimedOut(attempt, new TimeoutException(), ref rig.Work));

        Assert.True(rig.Work.IsEmpty);
        Assert.Equal((0L, 1, 0), (rig.Stats.CreateTimeouts, rig.Stats.InUse, rig.Stats.Abandoned));
    }

    [Fact]
    public void WaiterCancelled_Queued_LeavesTheQueueOnceWithACancellation()
    {
        var rig = new StateRig(maxSize: 1);
        rig.OpenOneAndLease();
        var waiter = rig.Queue();
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        rig.Work = default;

        Assert.True(rig.State.WaiterCancelled(waiter, cts.Token, ref rig.Work));
        rig.Deliver();

        Assert.True(waiter.Task.IsCanceled);
        Assert.Equal((0, 1L), (rig.Stats.Waiters, rig.Stats.Cancelled));
        rig.Work = default;
        Assert.False(rig.State.WaiterCancelled(waiter, cts.Token, ref rig.Work));
        Assert.Equal(1L, rig.Stats.Cancelled);
    }

    [Fact]
    public void WaiterTimedOut_Queued_LeavesTheQueueAndReportsTheCountsAtTheTimeout()
    {
        var rig = new StateRig(maxSize: 1);
        rig.OpenOneAndLease();
        var waiter = rig.Queue();
        rig.Work = default;

        Assert.True(rig.State.WaiterTimedOut(waiter, ref rig.Work, out var seen));

        Assert.Equal((1, 1), (seen.Waiters, seen.InUse));
        Assert.False(waiter.IsQueued);
        Assert.Equal((0, 1L), (rig.Stats.Waiters, rig.Stats.TimedOut));
        Assert.False(rig.State.WaiterTimedOut(waiter, ref rig.Work, out _));
    }

    [Fact]
    public void Maintain_RetiresIdlePastTheTimeoutBeyondMinSizeAndExpiredOnes()
    {
        var rig = new StateRig(maxSize: 4, idleTimeoutTicks: 100);
        rig.State.SetMinSize(1, ref rig.Work);
        rig.Succeed(expiresAt: rig.Now + 50);    // c1: expires first
        rig.State.SetMinSize(3, ref rig.Work);
        rig.Succeed();
        rig.Succeed();
        rig.State.SetMinSize(1, ref rig.Work);
        rig.Now += 100;
        rig.Work = default;
        List<(long LeasedAt, StackTrace? Site)>? leaks = null;

        Assert.True(rig.State.Maintain(rig.Now, ref rig.Work, ref leaks));

        Assert.Null(leaks);
        Assert.Equal(2, rig.Work.DestroyCount);
        var stats = rig.Stats;
        Assert.Equal((1, 1L, 1L), (stats.Idle, stats.DestroyedExpired, stats.DestroyedIdle)); // MinSize keeps one
    }

    [Fact]
    public void Maintain_LeaseHeldPastTheThreshold_IsReportedOnce()
    {
        var rig = new StateRig(maxSize: 2, leakThresholdTicks: 100, idle: 1);
        var site = new StackTrace();
        var lease = rig.Lease(site);
        rig.Now += 100;
        List<(long LeasedAt, StackTrace? Site)>? leaks = null;

        rig.State.Maintain(rig.Now, ref rig.Work, ref leaks);
        rig.State.Maintain(rig.Now + 100, ref rig.Work, ref leaks);

        Assert.Equal([(1_000L, site)], leaks);
        Assert.Equal(1_000L, rig.Return(lease)); // the return reports when the leaked lease began
    }

    [Fact]
    public void WarmUp_BelowMinSize_CompletesWhenTheCreatesLand()
    {
        var rig = new StateRig(maxSize: 2, minSize: 1);
        rig.State.Start(ref rig.Work);
        var warmUp = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        Assert.Null(rig.State.RegisterWarmUp(warmUp, out bool registered));
        Assert.True(registered);

        rig.Succeed();
        Assert.True(rig.Work.HasLater);
        Assert.False(warmUp.Task.IsCompleted);
        rig.Work.RunLater();
        Assert.True(warmUp.Task.IsCompletedSuccessfully);
        Assert.Null(rig.State.RegisterWarmUp(new TaskCompletionSource(), out registered));
        Assert.False(registered); // MinSize is open: nothing to wait for
    }

    [Fact]
    public void WarmUp_WhileTheWindowIsOpen_IsRefusedWithTheCause()
    {
        var rig = new StateRig(maxSize: 2, minSize: 1, failFastAfter: 1);
        rig.State.Start(ref rig.Work);
        rig.Fail(StateRig.Refused);

        var refusal = rig.State.RegisterWarmUp(new TaskCompletionSource(), out bool registered);

        Assert.False(registered);
        Assert.Equal(new WarmUpRefusal(StateRig.Refused, 1), refusal);
    }

    [Fact]
    public void Dispose_RetiresIdleConnectionsAndReservesNoCreate()
    {
        var rig = new StateRig(maxSize: 2, minSize: 1);
        rig.State.Start(ref rig.Work);
        rig.Succeed();
        rig.Work = default;

        Assert.True(rig.State.Dispose(ref rig.Work, out var drained));

        Assert.Equal((1, 0), (rig.Work.DestroyCount, rig.Work.CreatesToStart));
        Assert.Equal((true, 0, 1, 1L), (rig.Stats.IsDisposed, rig.Stats.Idle, rig.Stats.Destroying, rig.Stats.DestroyedDisposed));
        rig.DestroyFinished();
        Assert.Same(drained, rig.Work.Drained?.Task);
        Assert.Equal(0, rig.Work.CreatesToStart); // MinSize is not refilled after dispose
    }

    [Fact]
    public void Dispose_FailsWaitersAndDrainsWhenTheLastLeaseIsReturnedAndDestroyed()
    {
        var rig = new StateRig(maxSize: 1);
        var lease = rig.OpenOneAndLease();
        var waiter = rig.Queue();
        rig.Work = default;

        Assert.True(rig.State.Dispose(ref rig.Work, out var drained));

        Assert.Equal(1, rig.Work.WaiterCount);
        rig.Deliver();
        var error = Assert.IsType<ObjectDisposedException>(waiter.Task.Exception!.InnerException);
        Assert.StartsWith("The connection pool 'state' has been disposed.", error.Message, StringComparison.Ordinal);
        Assert.Equal((0, 1), (rig.Stats.Waiters, rig.Stats.InUse));

        rig.Return(lease);
        Assert.Equal(DestroyReason.Disposed, lease.Entry!.RetiredFor);
        Assert.Null(rig.Work.Drained);
        rig.DestroyFinished();
        Assert.Same(drained, rig.Work.Drained?.Task);
        Assert.False(drained.IsCompleted); // completed by the shell, after the lock

        rig.Work = default;
        Assert.False(rig.State.Dispose(ref rig.Work, out var again));
        Assert.Same(drained, again);
        Assert.True(rig.Work.IsEmpty);
    }
}
