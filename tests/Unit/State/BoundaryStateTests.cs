namespace Pool.Tests.Unit.State;

/// <summary>
/// The edges of the state machine's decisions on connections that serve one lease, each alone: a
/// time exactly at a deadline, a size exactly at a bound, the branch a suite never took. Written
/// against surviving mutants (docs/mutation.md): each test pins the outcome a mutant there changed.
/// </summary>
public sealed class BoundaryStateTests
{
    [Fact]
    public void Return_AtExactlyTheExpiry_RetiresTheConnectionAsExpired()
    {
        var rig = new StateRig(maxSize: 2);
        rig.Open(1, expiresAt: rig.Now + 10);
        var lease = rig.Lease();
        rig.Now += 10;

        rig.Return(lease);

        Assert.Equal(DestroyReason.Expired, lease.Entry!.RetiredFor);
        Assert.Equal((0, 1L), (rig.Stats.Idle, rig.Stats.DestroyedExpired));
    }

    [Fact]
    public void Maintain_AtExactlyTheExpiry_RetiresTheIdleConnectionAsExpired()
    {
        var rig = new StateRig(maxSize: 2);
        rig.Open(1, expiresAt: rig.Now + 10);
        rig.Now += 10;
        List<(long LeasedAt, StackTrace? Site)>? leaks = null;

        Assert.True(rig.State.Maintain(rig.Now, ref rig.Work, ref leaks));

        Assert.Equal((0, 1L, 0L), (rig.Stats.Idle, rig.Stats.DestroyedExpired, rig.Stats.DestroyedIdle));
    }

    [Fact]
    public void Maintain_IdleShorterThanTheTimeout_KeepsTheConnection()
    {
        var rig = new StateRig(maxSize: 2, idleTimeoutTicks: 100, idle: 1);
        rig.Now += 99;
        List<(long LeasedAt, StackTrace? Site)>? leaks = null;

        rig.State.Maintain(rig.Now, ref rig.Work, ref leaks);

        Assert.Equal((1, 0), (rig.Stats.Idle, rig.Work.DestroyCount));
    }

    [Fact]
    public void Maintain_IdlePastTheTimeoutWhileALeaseKeepsMinSize_RetiresTheIdleOne()
    {
        var rig = new StateRig(maxSize: 2, idleTimeoutTicks: 100, idle: 2);
        rig.State.SetMinSize(1, ref rig.Work);
        rig.Lease();
        rig.Now += 100;
        List<(long LeasedAt, StackTrace? Site)>? leaks = null;

        rig.State.Maintain(rig.Now, ref rig.Work, ref leaks);

        Assert.Equal((0, 1, 1L), (rig.Stats.Idle, rig.Stats.InUse, rig.Stats.DestroyedIdle)); // idle + in use (2) > MinSize (1)
    }

    [Fact]
    public void Maintain_AfterDispose_DoesNothingAndSaysSo()
    {
        var rig = new StateRig(maxSize: 2);
        rig.State.Dispose(ref rig.Work, out _);
        rig.Work = default;
        List<(long LeasedAt, StackTrace? Site)>? leaks = null;

        Assert.False(rig.State.Maintain(rig.Now, ref rig.Work, ref leaks));
        Assert.True(rig.Work.IsEmpty);
    }

    [Fact]
    public void Dispose_OfAnEmptyState_HandsBackTheDrainAtOnceAndNothingToRunLater()
    {
        var rig = new StateRig(maxSize: 2);

        Assert.True(rig.State.Dispose(ref rig.Work, out var drained));

        Assert.Same(drained, rig.Work.Drained?.Task);
        Assert.False(rig.Work.HasLater);
    }

    [Fact]
    public void RemovingTheOldestIdle_UnlinksIt_SoLaterAcquiresNeverSeeIt()
    {
        var rig = new StateRig(maxSize: 3, idle: 3);

        rig.State.SetMaxSize(2, ref rig.Work); // retires c1, the oldest, from the tail of the list

        Assert.Equal("c3", rig.Lease().Connection);
        Assert.Equal("c2", rig.Lease().Connection);
        var reservation = rig.Reserve(StateRig.Wait);
        Assert.Null(reservation.Lease.Entry);
        Assert.NotNull(reservation.Waiter);
        Assert.Equal((0, 2, 1), (rig.Stats.Idle, rig.Stats.InUse, rig.Stats.Waiters));
    }

    [Fact]
    public void SetMaxSize_ToExactlyMinSize_IsAccepted()
    {
        var rig = new StateRig(maxSize: 4, minSize: 2);

        rig.State.SetMaxSize(2, ref rig.Work);

        Assert.Equal(2, rig.State.MaxSize);
    }

    [Fact]
    public void SetMaxSize_ToExactlyTheConnectionsThatExist_RetiresNone()
    {
        var rig = new StateRig(maxSize: 4, idle: 3);
        rig.Work = default;

        rig.State.SetMaxSize(3, ref rig.Work);

        Assert.Equal((0, 3), (rig.Work.DestroyCount, rig.Stats.Idle));
    }

    [Fact]
    public void SetMaxSize_CountsCreatesInFlight_RetiringAnIdleConnectionForThem()
    {
        var rig = new StateRig(maxSize: 3, idle: 2);
        rig.State.SetMinSize(3, ref rig.Work); // one create in flight
        rig.State.SetMinSize(0, ref rig.Work);
        rig.Work = default;

        rig.State.SetMaxSize(2, ref rig.Work);

        Assert.Equal(1, rig.Work.DestroyCount); // idle 2 + creating 1 > 2
        Assert.Equal((1, 1, 1L), (rig.Stats.Idle, rig.Stats.Creating, rig.Stats.DestroyedSurplus));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(3)]
    public void SetMinSize_OutOfRange_ThrowsAndChangesNothing(int minSize)
    {
        var rig = new StateRig(maxSize: 2);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => rig.State.SetMinSize(minSize, ref rig.Work));

        Assert.StartsWith("minSize must be between 0 and MaxSize (2).", error.Message, StringComparison.Ordinal);
        Assert.Equal((0, 0), (rig.Stats.MinSize, rig.Stats.Creating));
    }

    [Fact]
    public void CreateSucceeded_AfterDispose_RetiresTheNewConnection()
    {
        var rig = new StateRig(maxSize: 2);
        rig.Reserve(StateRig.Wait);
        rig.State.Dispose(ref rig.Work, out _);

        rig.Succeed();

        Assert.Equal(1, rig.Work.DestroyCount);
        Assert.Equal(DestroyReason.Disposed, rig.Work.DestroyAt(0).RetiredFor);
        Assert.Equal((0, 1, 1L), (rig.Stats.Idle, rig.Stats.Destroying, rig.Stats.DestroyedDisposed));
    }

    [Fact]
    public void CreateSucceeded_AfterMaxSizeFellBelowIt_RetiresTheNewConnectionAsSurplus()
    {
        var rig = new StateRig(maxSize: 2, idle: 1);
        rig.Lease();
        rig.State.SetMinSize(2, ref rig.Work); // one create in flight
        rig.State.SetMinSize(0, ref rig.Work);
        rig.State.SetMaxSize(1, ref rig.Work);

        rig.Succeed();

        Assert.Equal(DestroyReason.Surplus, rig.Work.DestroyAt(0).RetiredFor);
        Assert.Equal((0, 1, 1, 1L), (rig.Stats.Idle, rig.Stats.InUse, rig.Stats.Destroying, rig.Stats.DestroyedSurplus));
    }

    [Fact]
    public void CreateFailed_ThenItsTimeout_ChangesNothing()
    {
        var rig = new StateRig(maxSize: 2);
        rig.Reserve(StateRig.Wait);
        using var attempt = new CreateAttempt(CancellationToken.None);
        rig.Fail(StateRig.Refused, attempt);
        rig.Work = default;

        Assert.False(rig.State.CreateTimedOut(attempt, new TimeoutException(), ref rig.Work));

        Assert.Equal((0L, 0, 1L), (rig.Stats.CreateTimeouts, rig.Stats.Abandoned, rig.Stats.CreateFailures));
    }

    [Fact]
    public void CreateTimedOut_WhileMinSizeStillNeedsOne_ReservesTheReplacementAtOnce()
    {
        var rig = new StateRig(maxSize: 3, minSize: 2, maxConcurrentCreates: 3);
        rig.State.Start(ref rig.Work);
        using var attempt = new CreateAttempt(CancellationToken.None);
        rig.Work = default;

        Assert.True(rig.State.CreateTimedOut(attempt, new TimeoutException(), ref rig.Work));

        Assert.Equal(1, rig.Work.CreatesToStart);
        Assert.Equal((2, 1, 1), (rig.Stats.Creating, rig.Stats.Abandoned, rig.Stats.AbandonedCreates));
    }

    [Fact]
    public void CreateFailed_WithFailFastOff_NeverOpensTheWindow()
    {
        var rig = new StateRig(maxSize: 2, failFastAfter: 0);
        var waiter = rig.Reserve(StateRig.Wait).Waiter!;

        rig.Fail(StateRig.Refused);

        Assert.False(rig.Work.WindowOpened);
        rig.Deliver();
        Assert.IsType<ConnectionCreateException>(waiter.Task.Exception!.InnerException);
        Assert.Equal((false, 1), (rig.Stats.IsUnavailable, rig.Stats.ConsecutiveCreateFailures));
    }

    [Fact]
    public void CreateFailed_ProbeWhileTheWindowIsOpen_DoesNotOpenItAgain()
    {
        var rig = new StateRig(maxSize: 2, failFastAfter: 1);
        rig.Reserve(StateRig.Wait);
        rig.Fail(StateRig.Refused);
        Assert.True(rig.Work.WindowOpened);

        rig.Fail(StateRig.Refused); // the probe

        Assert.False(rig.Work.WindowOpened);
        Assert.Equal((true, 2, 1), (rig.Stats.IsUnavailable, rig.Stats.ConsecutiveCreateFailures, rig.Stats.Creating));
    }

    [Fact]
    public void CreateFailed_AfterDispose_NeitherOpensTheWindowNorFailsAnyone()
    {
        var rig = new StateRig(maxSize: 2, failFastAfter: 1);
        rig.Reserve(StateRig.Wait);
        rig.State.Dispose(ref rig.Work, out _);

        rig.Fail(StateRig.Refused);

        Assert.Equal((false, 0, false), (rig.Work.WindowOpened, rig.Work.WaiterCount, rig.Stats.IsUnavailable));
        Assert.Equal((1, 0), (rig.Stats.ConsecutiveCreateFailures, rig.Stats.Creating));
    }

    [Fact]
    public void Settle_WhileTheWindowIsOpenAndAProbeRuns_ReservesNoSecondProbe()
    {
        var rig = new StateRig(maxSize: 2, failFastAfter: 1);
        rig.Reserve(StateRig.Wait);
        rig.Fail(StateRig.Refused);
        Assert.Equal((1, true), (rig.Work.CreatesToStart, rig.Work.Probe));

        var refused = rig.Reserve(StateRig.Wait);

        Assert.Same(StateRig.Refused, refused.UnavailableCause);
        Assert.Equal((0, false, 0), (rig.Work.CreatesToStart, rig.Work.Probe, rig.Work.CreateFailuresBefore)); // nothing to start: nothing stamped
        Assert.Equal(1, rig.Stats.Creating);
    }

    [Fact]
    public void Settle_WhenTheBackendHoldsMaxSizePlusMaxConcurrentCreates_ReservesNoCreate()
    {
        // I1's second bound: abandoned destroys still hold connections at the backend.
        var rig = new StateRig(maxSize: 2, maxConcurrentCreates: 1, idle: 2);
        rig.State.Clear(ref rig.Work);
        var retired = new[] { rig.Work.DestroyAt(0), rig.Work.DestroyAt(1) };
        foreach (var entry in retired)
        {
            rig.Work = default;
            Assert.True(rig.State.DestroyTimedOut(entry, ref rig.Work));
        }

        rig.Reserve(StateRig.Wait);
        rig.Succeed(generation: 1); // the first waiter's connection: Total 1, Abandoned 2

        rig.Reserve(StateRig.Wait);

        Assert.Equal(0, rig.Work.CreatesToStart); // Total 1 + Abandoned 2 = MaxSize 2 + MaxConcurrentCreates 1
        Assert.Equal((1, 1, 0, 2), (rig.Stats.InUse, rig.Stats.Waiters, rig.Stats.Creating, rig.Stats.Abandoned));
    }

    [Fact]
    public void WaiterCancelled_FailsTheWaiterWithTheCallersToken()
    {
        var rig = new StateRig(maxSize: 1, idle: 1);
        rig.Lease();
        var waiter = rig.Reserve(StateRig.Wait).Waiter!;
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        rig.Work = default;

        rig.State.WaiterCancelled(waiter, cts.Token, ref rig.Work);
        rig.Deliver();

        var error = Assert.ThrowsAny<OperationCanceledException>(() => waiter.Task.GetAwaiter().GetResult());
        Assert.Equal(cts.Token, error.CancellationToken);
    }

    [Fact]
    public void RegisterWarmUp_AfterDispose_IsRefusedWithNoCause()
    {
        var rig = new StateRig(maxSize: 2, minSize: 1);
        rig.State.Dispose(ref rig.Work, out _);

        Assert.Equal(new WarmUpRefusal(null, 0), rig.State.RegisterWarmUp(new TaskCompletionSource(), out bool registered));
        Assert.False(registered);
    }

    [Fact]
    public void RegisterWarmUp_MinSizeHeldByLeases_IsReadyAtOnce()
    {
        var rig = new StateRig(maxSize: 2, idle: 2);
        rig.State.SetMinSize(2, ref rig.Work);
        rig.Lease();
        rig.Lease();

        Assert.Null(rig.State.RegisterWarmUp(new TaskCompletionSource(), out bool registered));
        Assert.False(registered); // idle 0 + in use 2 = MinSize
    }

    [Fact]
    public void WarmUps_TwoRegistered_BothCompleteWhenMinSizeOpens_EvenWhenTheConnectionGoesStraightToAWaiter()
    {
        var rig = new StateRig(maxSize: 2, minSize: 1, maxConcurrentCreates: 1);
        rig.State.Start(ref rig.Work);
        var first = rig.WarmUp();
        var second = rig.WarmUp();
        rig.Reserve(StateRig.Wait); // takes the MinSize connection as soon as it lands

        rig.Succeed();
        rig.Work.RunLater();

        Assert.Equal((0, 1), (rig.Stats.Idle, rig.Stats.InUse)); // idle 0 + in use 1 = MinSize
        Assert.True(first.Task.IsCompletedSuccessfully);
        Assert.True(second.Task.IsCompletedSuccessfully);
    }

    [Fact]
    public void WarmUps_AllCancelled_NothingIsLeftToRunWhenMinSizeOpens()
    {
        var rig = new StateRig(maxSize: 2, minSize: 1);
        rig.State.Start(ref rig.Work);
        var warmUp = rig.WarmUp();
        rig.State.WarmUpCancelled(warmUp);

        rig.Succeed();

        Assert.False(rig.Work.HasLater);
    }

    [Fact]
    public void Dispose_AfterEveryWarmUpWasCancelled_SchedulesNothingLater()
    {
        var rig = new StateRig(maxSize: 2, minSize: 1);
        rig.State.Start(ref rig.Work);
        var warmUp = rig.WarmUp();
        rig.State.WarmUpCancelled(warmUp);
        rig.Work = default;

        rig.State.Dispose(ref rig.Work, out _);

        Assert.False(rig.Work.HasLater);
        Assert.False(warmUp.Task.IsCompleted);
    }

    [Fact]
    public void WarmUp_WhenDisposeStarts_FailsWithObjectDisposedException()
    {
        var rig = new StateRig(maxSize: 2, minSize: 1);
        rig.State.Start(ref rig.Work);
        var warmUp = rig.WarmUp();
        rig.Work = default;

        rig.State.Dispose(ref rig.Work, out _);
        rig.Work.RunLater();

        var error = Assert.IsType<ObjectDisposedException>(warmUp.Task.Exception!.InnerException);
        Assert.StartsWith("The connection pool 'state' has been disposed.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WarmUp_WhenTheWindowOpens_FailsWithTheUnavailableError()
    {
        var rig = new StateRig(maxSize: 2, minSize: 1, failFastAfter: 1);
        rig.State.Start(ref rig.Work);
        var warmUp = rig.WarmUp();

        rig.Fail(StateRig.Refused);
        rig.Work.RunLater();

        var error = Assert.IsType<PoolUnavailableException>(warmUp.Task.Exception!.InnerException);
        Assert.StartsWith("The pool 'state' is unavailable: the last 1 creates failed, the last with: connection refused", error.Message, StringComparison.Ordinal);
        Assert.Same(StateRig.Refused, error.InnerException);
    }
}
