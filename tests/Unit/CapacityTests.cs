namespace Pool.Tests.Unit;

public sealed class CapacityTests : PoolFixture<FakeTimeProvider>
{
    [Fact]
    public async Task Acquire_ThousandConcurrentAcquirersOnMaxSizeTen_NeverCreatesMoreThanTen()
    {
        Factory.Gated = true;
        await using var pool = TestPools.Create(Factory, Time, maxSize: 10, acquireTimeout: Timeout.InfiniteTimeSpan);
        int served = 0;

        var acquirers = Enumerable.Range(0, 1000).Select(_ => Task.Run(async () =>
        {
            await using var lease = await pool.AcquireAsync();
            Assert.Equal(0, lease.Connection.DestroyCount);
            Interlocked.Increment(ref served);
            await Task.Yield();
        })).ToArray();

        await Waits.Until(() => pool.GetStatistics().Waiters == 1000, "all 1,000 acquirers are queued");
        await Factory.WaitForPendingAsync(10);
        var queued = pool.Checked();
        Assert.Equal((10, 10, 1000), (queued.Creating, Factory.PendingCreates, queued.Waiters));
        Assert.Equal(10, Factory.CreateCalls);

        for (int i = 0; i < 10; i++)
        {
            Factory.CompleteNext();
        }

        await Task.WhenAll(acquirers);

        // Nine connections can serve all 1,000 before the tenth completed create reaches the pool (its
        // continuation may run last on a loaded machine): wait for it, then count.
        await Waits.Until(() => pool.GetStatistics() is { Created: 10, Idle: 10 }, "every completed create reached the pool");
        var done = pool.Checked();
        Assert.Equal(1000, served);
        Assert.Equal((10L, 1000L, 10, 0), (done.Created, done.Acquired, done.Idle, done.Waiters));
        Assert.Equal(10, Factory.CreateCalls);
        Assert.Equal(10, Factory.PeakLive);
    }

    [Fact]
    public async Task Create_WhenItFails_FreesItsSlotAndThePoolReachesMaxSizeAgainAfterRecovery()
    {
        await using var pool = TestPools.Create(Factory, Time, maxSize: 3);
        Factory.CreateError = new IOException("backend down");

        for (int i = 0; i < 5; i++)
        {
            var error = await Assert.ThrowsAsync<ConnectionCreateException>(() => pool.AcquireAsync().AsTask());
            Assert.Same(Factory.CreateError, error.InnerException);
        }

        var afterOutage = pool.Checked();
        Assert.Equal((0, 5L, 0L), (afterOutage.Total, afterOutage.CreateFailures, afterOutage.Created));

        Factory.CreateError = null;
        var leases = new[] { await pool.AcquireAsync(), await pool.AcquireAsync(), await pool.AcquireAsync() };
        var full = pool.Checked();
        Assert.Equal((3, 3, 3L), (full.Total, full.InUse, full.Created));
        foreach (var lease in leases)
        {
            await lease.DisposeAsync();
        }
    }

    [Fact]
    public async Task Outage_FactoryDownThenUp_TotalEqualsConnectionsAliveInTheFactory()
    {
        await using var pool = TestPools.Create(Factory, Time, maxSize: 4);
        var held = await pool.AcquireAsync();
        await pool.AcquireAndReturnAsync();

        Factory.CreateError = new IOException("down");
        var outage = Enumerable.Range(0, 20).Select(_ => Task.Run(async () =>
        {
            try
            {
                await using var lease = await pool.AcquireAsync();
                lease.Invalidate(); // the surviving connection breaks too
                return true;
            }
            catch (ConnectionCreateException)
            {
                return false;
            }
        })).ToArray();
        var outcomes = await Task.WhenAll(outage);
        var during = pool.Checked();
        Assert.Equal(1, outcomes.Count(served => served));
        Assert.Equal((1, 0, 0, 19L), (during.Total, during.Creating, during.Waiters, during.CreateFailures));
        Assert.Equal(during.Total, Factory.Live);

        Factory.CreateError = null;
        var recovered = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => pool.AcquireAsync().AsTask()));
        var after = pool.Checked();
        Assert.Equal((4, 4), (after.Total, after.InUse));
        Assert.Equal(after.Total, Factory.Live);
        Assert.Equal(after.Live, Factory.Live);
        await held.DisposeAsync();
        foreach (var lease in recovered)
        {
            await lease.DisposeAsync();
        }

        Assert.Equal(4, pool.Checked().Idle);
    }

    [Fact]
    public async Task Create_FailureWithWaitersBehind_FailsOnlyTheOldestWaiterAndStartsAReplacementForTheRest()
    {
        Factory.Gated = true;
        await using var pool = TestPools.Create(Factory, Time, maxSize: 1);
        var first = pool.AcquireAsync().AsTask();
        var second = pool.AcquireAsync().AsTask();
        await Factory.WaitForPendingAsync(1);
        Assert.Equal((1, 2), (pool.Checked().Creating, pool.Checked().Waiters));

        Factory.FailNext(new IOException("refused"));

        var error = await Assert.ThrowsAsync<ConnectionCreateException>(() => first);
        Assert.Equal("The pool 'test' could not create a connection: refused", error.Message);
        Assert.IsType<IOException>(error.InnerException);
        await Factory.WaitForPendingAsync(1);
        var retrying = pool.Checked();
        Assert.Equal((1, 1, 1L), (retrying.Creating, retrying.Waiters, retrying.CreateFailures));
        Assert.False(second.IsCompleted);

        Factory.CompleteNext();
        await using var lease = await second;
        Assert.Equal(2, Factory.CreateCalls);
    }

    [Fact]
    public async Task Create_OutlivesTheAcquirerThatCausedIt_AndItsConnectionGoesToIdle()
    {
        Factory.Gated = true;
        await using var pool = TestPools.Create(Factory, Time, maxSize: 2);
        var acquirerToken = await OrphanedCreate.LeaveAsync(pool, Factory);

        Assert.NotEqual(acquirerToken, Factory.PeekNextToken());
        Assert.False(Factory.PeekNextToken().IsCancellationRequested);
        var cancelled = pool.Checked();
        Assert.Equal((1, 0, 1L), (cancelled.Creating, cancelled.Waiters, cancelled.Cancelled));

        var connection = Factory.CompleteNext();
        await Waits.Until(() => pool.GetStatistics().Idle == 1, "the late connection is idle");
        Assert.True(pool.TryAcquire(out var lease));
        Assert.Same(connection, lease.Connection);
        await lease.DisposeAsync();
    }

    [Fact]
    public async Task Create_LateConnection_GoesToTheNextWaiterWhenTheFirstTimedOut()
    {
        Factory.Gated = true;
        await using var pool = TestPools.Create(Factory, Time, maxSize: 1, acquireTimeout: TimeSpan.FromSeconds(1));
        var first = pool.AcquireAsync().AsTask();
        await Factory.WaitForPendingAsync(1);
        Time.Advance(TimeSpan.FromMilliseconds(500));
        var second = pool.AcquireAsync(TimeSpan.FromSeconds(5)).AsTask();
        Time.Advance(TimeSpan.FromMilliseconds(500));
        await Assert.ThrowsAsync<PoolExhaustedException>(() => first);

        var connection = Factory.CompleteNext();
        await using var lease = await second;
        Assert.Same(connection, lease.Connection);
        Assert.Equal((1L, 1L, 1), (pool.Checked().Created, pool.Checked().TimedOut, Factory.CreateCalls));
    }
}
