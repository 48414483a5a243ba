namespace Pool.Tests.Unit;

public sealed class CapacityTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly FakeFactory _factory = new();

    [Fact]
    public async Task Acquire_ThousandConcurrentAcquirersOnMaxSizeTen_NeverCreatesMoreThanTen()
    {
        _factory.Gated = true;
        await using var pool = TestPools.Create(_factory, _time, maxSize: 10, acquireTimeout: Timeout.InfiniteTimeSpan);
        int served = 0;

        var acquirers = Enumerable.Range(0, 1000).Select(_ => Task.Run(async () =>
        {
            await using var lease = await pool.AcquireAsync();
            Assert.Equal(0, lease.Connection.DestroyCount);
            Interlocked.Increment(ref served);
            await Task.Yield();
        })).ToArray();

        await Waits.Until(() => pool.GetStatistics().Waiters == 1000, "all 1,000 acquirers are queued");
        await _factory.WaitForPendingAsync(10);
        var queued = pool.Checked();
        Assert.Equal((10, 10, 1000), (queued.Creating, _factory.PendingCreates, queued.Waiters));
        Assert.Equal(10, _factory.CreateCalls);

        for (int i = 0; i < 10; i++)
        {
            _factory.CompleteNext();
        }

        await Task.WhenAll(acquirers);
        var done = pool.Checked();
        Assert.Equal(1000, served);
        Assert.Equal((10L, 1000L, 10, 0), (done.Created, done.Acquired, done.Idle, done.Waiters));
        Assert.Equal(10, _factory.CreateCalls);
        Assert.Equal(10, _factory.PeakLive);
    }

    [Fact]
    public async Task Create_WhenItFails_FreesItsSlotAndThePoolReachesMaxSizeAgainAfterRecovery()
    {
        await using var pool = TestPools.Create(_factory, _time, maxSize: 3);
        _factory.CreateError = new IOException("backend down");

        for (int i = 0; i < 5; i++)
        {
            var error = await Assert.ThrowsAsync<ConnectionCreateException>(() => pool.AcquireAsync().AsTask());
            Assert.Same(_factory.CreateError, error.InnerException);
        }

        var afterOutage = pool.Checked();
        Assert.Equal((0, 5L, 0L), (afterOutage.Total, afterOutage.CreateFailures, afterOutage.Created));

        _factory.CreateError = null;
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
        await using var pool = TestPools.Create(_factory, _time, maxSize: 4);
        var held = await pool.AcquireAsync();
        var idle = await pool.AcquireAsync();
        await idle.DisposeAsync();

        _factory.CreateError = new IOException("down");
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
        Assert.Equal(during.Total, _factory.Live);

        _factory.CreateError = null;
        var recovered = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => pool.AcquireAsync().AsTask()));
        var after = pool.Checked();
        Assert.Equal((4, 4), (after.Total, after.InUse));
        Assert.Equal(after.Total, _factory.Live);
        Assert.Equal(after.Live, _factory.Live);
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
        _factory.Gated = true;
        await using var pool = TestPools.Create(_factory, _time, maxSize: 1);
        var first = pool.AcquireAsync().AsTask();
        var second = pool.AcquireAsync().AsTask();
        await _factory.WaitForPendingAsync(1);
        Assert.Equal((1, 2), (pool.Checked().Creating, pool.Checked().Waiters));

        _factory.FailNext(new IOException("refused"));

        var error = await Assert.ThrowsAsync<ConnectionCreateException>(() => first);
        Assert.Equal("The pool 'test' could not create a connection: refused", error.Message);
        Assert.IsType<IOException>(error.InnerException);
        await _factory.WaitForPendingAsync(1);
        var retrying = pool.Checked();
        Assert.Equal((1, 1, 1L), (retrying.Creating, retrying.Waiters, retrying.CreateFailures));
        Assert.False(second.IsCompleted);

        _factory.CompleteNext();
        await using var lease = await second;
        Assert.Equal(2, _factory.CreateCalls);
    }

    [Fact]
    public async Task Create_OutlivesTheAcquirerThatCausedIt_AndItsConnectionGoesToIdle()
    {
        _factory.Gated = true;
        await using var pool = TestPools.Create(_factory, _time, maxSize: 2);
        using var cts = new CancellationTokenSource();
        var acquire = pool.AcquireAsync(cts.Token).AsTask();
        await _factory.WaitForPendingAsync(1);

        Assert.NotEqual(cts.Token, _factory.PeekNextToken());
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => acquire);
        Assert.False(_factory.PeekNextToken().IsCancellationRequested);
        var cancelled = pool.Checked();
        Assert.Equal((1, 0, 1L), (cancelled.Creating, cancelled.Waiters, cancelled.Cancelled));

        var connection = _factory.CompleteNext();
        await Waits.Until(() => pool.GetStatistics().Idle == 1, "the late connection is idle");
        Assert.True(pool.TryAcquire(out var lease));
        Assert.Same(connection, lease.Connection);
        await lease.DisposeAsync();
    }

    [Fact]
    public async Task Create_LateConnection_GoesToTheNextWaiterWhenTheFirstTimedOut()
    {
        _factory.Gated = true;
        await using var pool = TestPools.Create(_factory, _time, maxSize: 1, acquireTimeout: TimeSpan.FromSeconds(1));
        var first = pool.AcquireAsync().AsTask();
        await _factory.WaitForPendingAsync(1);
        _time.Advance(TimeSpan.FromMilliseconds(500));
        var second = pool.AcquireAsync(TimeSpan.FromSeconds(5)).AsTask();
        _time.Advance(TimeSpan.FromMilliseconds(500));
        await Assert.ThrowsAsync<PoolExhaustedException>(() => first);

        var connection = _factory.CompleteNext();
        await using var lease = await second;
        Assert.Same(connection, lease.Connection);
        Assert.Equal((1L, 1L, 1), (pool.Checked().Created, pool.Checked().TimedOut, _factory.CreateCalls));
    }
}
