namespace Pool.Tests.Unit.SharedLeases;

/// <summary>
/// One shared connection's life: checked only on its first lease out of idle, reaped only at zero
/// leases, and drained (no new lease, destroyed at its last return) when it expires, is cleared, is
/// surplus, is invalidated or the pool is disposed.
/// </summary>
public sealed class SharedLifecycleTests : PoolFixture<ArmedTimerClock>
{
    [Fact]
    public async Task Validation_RunsOnlyOnTheFirstLeaseOutOfIdle_NeverWhileLeasesHoldTheConnection()
    {
        await using var pool = await OneConnectionIdlePastValidateAfterIdleAsync();

        var checkedOne = await pool.AcquireAsync();
        Assert.Equal(1, Factory.ValidateCalls);
        Time.Advance(TimeSpan.FromSeconds(1));
        var beside = await pool.AcquireAsync();
        var another = await pool.AcquireAsync();

        Assert.Equal(1, Factory.ValidateCalls); // the connection had leases: never checked
        Assert.Equal((1, 3, 3), pool.LeaseCounts());
        await checkedOne.DisposeAsync();
        await beside.DisposeAsync();
        await another.DisposeAsync();
        Time.Advance(TimeSpan.FromSeconds(1));
        await using var again = await pool.AcquireAsync();
        Assert.Equal(2, Factory.ValidateCalls);
    }

    [Fact]
    public async Task Validation_WhileItRuns_NoOtherLeaseIsPlacedOnThatConnection_ThenTheWaiterShares()
    {
        await using var pool = await OneConnectionIdlePastValidateAfterIdleAsync();
        Factory.ValidateHangs = true;

        var checking = pool.AcquireAsync().AsTask();
        await Waits.Until(() => Factory.ValidationsRunning == 1, "the check on borrow runs");
        var second = pool.AcquireAsync().AsTask();
        Assert.False(pool.TryAcquire(out _));

        Assert.False(second.IsCompleted);
        Assert.Equal((1, 1, 1), pool.LeaseCounts());
        Assert.Equal((1, 0), (pool.Checked().Waiters, pool.Checked().Creating)); // MaxSize reached: it waits for the check
        Factory.AnswerHungValidations(true);
        var first = await checking.Bounded();
        var shared = await second.Bounded();

        Assert.Same(first.Connection, shared.Connection);
        Assert.Equal((1, 2, 2), pool.LeaseCounts());
        Assert.Equal(1, Factory.ValidateCalls);
    }

    [Fact]
    public async Task Validation_Failing_DestroysTheConnectionBeforeAnyOtherLeaseJoinsIt()
    {
        await using var pool = await OneConnectionIdlePastValidateAfterIdleAsync();
        Factory.Validate = c => c.Id != 1;

        var lease = await pool.AcquireAsync();

        Assert.Equal(2, lease.Connection.Id);
        var stats = pool.Checked();
        Assert.Equal((1L, 1, 1, 2L), (stats.DestroyedValidationFailed, stats.InUse, stats.Leases, stats.Created));
    }

    [Fact]
    public async Task IdleTimeout_ReapsASharedConnectionOnlyOnceItHoldsNoLease()
    {
        await using var pool = SharedPools.Create(Factory, Time, maxLeases: 2, maxSize: 2, configure: o => o.IdleTimeout = TimeSpan.FromMinutes(1));
        var lease = await pool.AcquireAsync();
        Time.Advance(TimeSpan.FromMinutes(2));

        pool.RunMaintenance();
        Assert.Equal((0L, 1), (pool.Checked().DestroyedIdle, pool.Checked().InUse));

        await lease.DisposeAsync();
        pool.RunMaintenance();
        Assert.Equal(0L, pool.Checked().DestroyedIdle); // idle for no time yet
        Time.Advance(TimeSpan.FromMinutes(1));
        pool.RunMaintenance();
        Assert.Equal((1L, 0, 0), (pool.Checked().DestroyedIdle, pool.Checked().Idle, pool.Checked().InUse));
    }

    [Fact]
    public async Task Lifetime_ExpiredConnectionWithLeases_TakesNoNewLease_AndIsDestroyedAtItsLastReturn()
    {
        await using var pool = SharedPools.Create(Factory, Time, maxLeases: 3, maxSize: 2, configure: o =>
        {
            o.MaxLifetime = TimeSpan.FromMinutes(1);
            o.LifetimeJitter = 0;
        });
        var a = await pool.AcquireAsync();
        var b = await pool.AcquireAsync();
        Time.Advance(TimeSpan.FromMinutes(2));

        var c = await pool.AcquireAsync();

        Assert.Equal((1, 1, 2), (a.Connection.Id, b.Connection.Id, c.Connection.Id));
        var stats = await ReturnBothSharersOfADrainingConnectionAsync(pool, a, b, leasesLeftOnOthers: 1);
        Assert.Equal((1L, 1L, 1, 1), (stats.Destroyed, stats.DestroyedExpired, stats.InUse, stats.Leases));
        Assert.Equal(1, Factory.Live);
    }

    [Fact]
    public async Task Clear_ConnectionWithLeases_TakesNoNewLease_AndIsDestroyedAtItsLastReturn()
    {
        await using var pool = SharedPools.Create(Factory, Time, maxLeases: 3, maxSize: 2);
        var a = await pool.AcquireAsync();
        var b = await pool.AcquireAsync();

        pool.Clear();
        var c = await pool.AcquireAsync();

        Assert.Equal(2, c.Connection.Id);
        var stats = await ReturnBothSharersOfADrainingConnectionAsync(pool, a, b, leasesLeftOnOthers: 1);
        Assert.Equal((1L, 1L, 1, 1), (stats.Destroyed, stats.DestroyedCleared, stats.InUse, stats.Leases));
    }

    [Fact]
    public async Task SetMaxSize_Lowered_TheLeastBusySurplusConnectionDrains_AndItsLastReturnFreesTheSlot()
    {
        await using var pool = SharedPools.Create(Factory, Time, maxLeases: 2, maxSize: 2);
        var leases = await pool.AcquireManyAsync(3); // c1: 2, c2: 1

        pool.SetMaxSize(1);
        var waiting = pool.AcquireAsync().AsTask();

        Assert.False(waiting.IsCompleted); // c1 is full and c2 drains: no room, no create beyond MaxSize
        Assert.Equal((1, 0, 0L), (pool.Checked().Waiters, pool.Checked().Creating, pool.Checked().Destroyed));
        await leases[2].DisposeAsync();
        Assert.Equal((1L, 1L, 1), (pool.Checked().Destroyed, pool.Checked().DestroyedSurplus, pool.Checked().Waiters));
        await leases[0].DisposeAsync();
        var served = await waiting.Bounded();

        Assert.Equal(1, served.Connection.Id);
        Assert.Equal((1, 2, 2), pool.LeaseCounts());
        Assert.Equal((1, 2), (pool.Checked().Total, Factory.CreateCalls));
    }

    [Fact]
    public async Task Invalidate_OnASharedLease_OthersFinish_DestroyedOnceAtTheLastReturn_ThenItsSlotServesTheWaiter()
    {
        await using var pool = SharedPools.Create(Factory, Time, maxLeases: 3, maxSize: 1);
        var leases = await pool.AcquireManyAsync(2);
        var broken = leases[0].Connection;

        leases[0].Invalidate();
        var waiting = pool.AcquireAsync().AsTask(); // the connection has room but is broken: no new lease
        Assert.False(waiting.IsCompleted);
        await leases[0].DisposeAsync();
        await leases[0].DisposeAsync();

        Assert.True(leases[1].IsActive);
        Assert.Equal((0, 0L), (broken.DestroyCount, pool.Checked().Destroyed));
        Assert.Equal((1, 1, 1), pool.LeaseCounts());
        await leases[1].DisposeAsync();
        var served = await waiting.Bounded();

        Assert.Equal((1, 2), (broken.DestroyCount, served.Connection.Id));
        var stats = pool.Checked();
        Assert.Equal((1L, 1L, 2L), (stats.Destroyed, stats.DestroyedInvalidated, stats.Created));
        Assert.Equal((1, 1, 1), pool.LeaseCounts());
    }

    [Fact]
    public async Task Lease_DisposedTwiceOrThroughAStaleCopy_ReturnsOnce_AndNeverEndsALaterLeaseOnTheSameSlot()
    {
        await using var pool = SharedPools.Create(Factory, Time, maxLeases: 2, maxSize: 1);
        var first = await pool.AcquireAsync();
        var staleCopy = first;

        await first.DisposeAsync();
        await staleCopy.DisposeAsync();
        Assert.Equal((0, 0, 0), pool.LeaseCounts());
        var second = await pool.AcquireAsync(); // takes the slot the first lease held, with a new id
        var third = await pool.AcquireAsync();
        staleCopy.Invalidate();
        await staleCopy.DisposeAsync();

        Assert.True(second.IsActive && third.IsActive);
        Assert.False(staleCopy.IsActive);
        Assert.NotEqual(first, second);
        Assert.Equal((1, 2, 2), pool.LeaseCounts());
        await second.DisposeAsync();
        await third.DisposeAsync();
        Assert.Equal((0, 1, 0L), (pool.Checked().Leases, pool.Checked().Idle, pool.Checked().Destroyed));
    }

    [Fact]
    public async Task Dispose_WithSharedLeasesOut_DestroysTheConnectionAtItsLastReturn()
    {
        var pool = SharedPools.Create(Factory, Time, maxLeases: 3, maxSize: 2);
        var a = await pool.AcquireAsync();
        var b = await pool.AcquireAsync();

        await pool.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await pool.AcquireAsync());
        var stats = await ReturnBothSharersOfADrainingConnectionAsync(pool, a, b, leasesLeftOnOthers: 0);
        Assert.Equal((1L, 1L, 0, 0), (stats.Destroyed, stats.DestroyedDisposed, stats.InUse, stats.Leases));
        Assert.Equal(0, Factory.Live);
    }

    /// <summary>
    /// One slot shared by up to 3 leases, checked on borrow after 500 ms idle: its one connection was
    /// created, returned and left idle 1 s, so the next acquire checks it first.
    /// </summary>
    private async Task<ConnectionPool<TestConnection>> OneConnectionIdlePastValidateAfterIdleAsync()
    {
        var pool = SharedPools.Create(Factory, Time, maxLeases: 3, maxSize: 1, configure: o => o.ValidateAfterIdle = TimeSpan.FromMilliseconds(500));
        await pool.AcquireAndReturnAsync();
        Time.Advance(TimeSpan.FromSeconds(1));
        return pool;
    }

    /// <summary>
    /// a and b are the only leases on one draining connection; other connections hold
    /// <paramref name="leasesLeftOnOthers"/> leases, one each. a's return destroys nothing (b still holds
    /// the connection); b's, the last, destroys it. Returns the snapshot after b's return.
    /// </summary>
    private static async Task<PoolStatistics> ReturnBothSharersOfADrainingConnectionAsync(
        ConnectionPool<TestConnection> pool, PooledConnection<TestConnection> a, PooledConnection<TestConnection> b, int leasesLeftOnOthers)
    {
        await a.DisposeAsync();
        Assert.Equal((0L, 1 + leasesLeftOnOthers, 1 + leasesLeftOnOthers), (pool.Checked().Destroyed, pool.Checked().InUse, pool.Checked().Leases));
        await b.DisposeAsync();
        return pool.Checked();
    }
}
