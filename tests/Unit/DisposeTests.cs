namespace Pool.Tests.Unit;

public sealed class DisposeTests : PoolFixture<FakeTimeProvider>
{
    [Fact]
    public async Task Dispose_WithWaitersInUseAndCreatesInFlight_FailsWaitersAndDestroysEachConnectionOnce()
    {
        var pool = TestPools.Create(Factory, Time, maxSize: 4, disposeTimeout: Timeout.InfiniteTimeSpan);
        var inUse = await pool.AcquireAsync();
        Factory.Gated = true;
        var waiters = Enumerable.Range(0, 5).Select(_ => pool.AcquireAsync().AsTask()).ToArray();
        await Factory.WaitForPendingAsync(3);
        var before = pool.Checked();
        Assert.Equal((1, 3, 5), (before.InUse, before.Creating, before.Waiters));

        var disposing = pool.DisposeAsync().AsTask();

        foreach (var waiter in waiters)
        {
            var error = await Assert.ThrowsAsync<ObjectDisposedException>(() => waiter);
            Assert.StartsWith("The connection pool 'test' has been disposed.", error.Message, StringComparison.Ordinal);
            Assert.Contains("ConnectionPool", error.ObjectName, StringComparison.Ordinal);
        }

        Assert.True(Factory.PeekNextToken().IsCancellationRequested);
        var draining = pool.Checked();
        Assert.Equal((1, 3, 0, true), (draining.InUse, draining.Creating, draining.Waiters, draining.IsDisposed));

        var late1 = Factory.CompleteNext();
        Factory.FailNext(new OperationCanceledException());
        var late2 = Factory.CompleteNext();
        await Waits.Until(() => pool.GetStatistics().Creating == 0, "the creates in flight have finished");
        Assert.False(disposing.IsCompleted);
        var connection = inUse.Connection;
        await inUse.DisposeAsync();
        await disposing;

        var end = pool.Checked();
        Assert.Equal((0, 3L, 3L, 1L), (end.Total, end.Created, end.Destroyed, end.CreateFailures));
        Assert.Equal((1, 1, 1), (late1.DestroyCount, late2.DestroyCount, connection.DestroyCount));
        Assert.Equal((0, 3), (Factory.Live, Factory.DestroyCalls));
    }

    [Fact]
    public async Task Dispose_WithIdleInUseAndAnOrphanedCreate_DestroysIdleAtOnceAndTheRestWhenTheyFinish()
    {
        var pool = TestPools.Create(Factory, Time, maxSize: 4, disposeTimeout: Timeout.InfiniteTimeSpan);
        var inUse = await pool.AcquireAsync();
        var soonIdle = await pool.AcquireAsync();
        Factory.Gated = true;
        await OrphanedCreate.LeaveAsync(pool, Factory);
        var idleConnection = soonIdle.Connection;
        await soonIdle.DisposeAsync();
        Assert.Equal((1, 1, 1, 0), (pool.Checked().Idle, pool.Checked().InUse, pool.Checked().Creating, pool.Checked().Waiters));

        var disposing = pool.DisposeAsync().AsTask();

        Assert.Equal(1, idleConnection.DestroyCount);
        Assert.Equal((0, 1, 1), (pool.Checked().Idle, pool.Checked().InUse, pool.Checked().Creating));
        var late = Factory.CompleteNext();
        await Waits.Until(() => late.DestroyCount == 1, "the late connection is destroyed");
        await inUse.DisposeAsync();
        await disposing;
        Assert.Equal((0, 3L, 3L), (pool.Checked().Total, pool.Checked().Created, pool.Checked().Destroyed));
    }

    [Fact]
    public async Task Dispose_CalledTwiceAndConcurrently_IsIdempotent()
    {
        var pool = TestPools.Create(Factory, Time, maxSize: 2);
        await pool.AcquireAndReturnAsync();

        var first = pool.DisposeAsync().AsTask();
        var second = pool.DisposeAsync().AsTask();
        await Task.WhenAll(first, second, pool.DisposeAsync().AsTask());

        Assert.Equal((1, 1L), (Factory.DestroyCalls, pool.Checked().Destroyed));
    }

    [Fact]
    public async Task Acquire_AfterDispose_ThrowsObjectDisposedException()
    {
        var pool = TestPools.Create(Factory, Time);
        await pool.DisposeAsync();

        var error = await Assert.ThrowsAsync<ObjectDisposedException>(() => pool.AcquireAsync().AsTask());
        Assert.StartsWith("The connection pool 'test' has been disposed.", error.Message, StringComparison.Ordinal);
        Assert.Throws<ObjectDisposedException>(() => pool.TryAcquire(out _));
        Assert.Equal(0, Factory.CreateCalls);
    }

    [Fact]
    public async Task Dispose_WithALeaseNeverReturned_CompletesAfterDisposeTimeoutAndDestroysTheLeaseOnReturn()
    {
        var pool = TestPools.Create(Factory, Time, disposeTimeout: TimeSpan.FromSeconds(5));
        var lease = await pool.AcquireAsync();

        var disposing = pool.DisposeAsync().AsTask();
        Time.Advance(TimeSpan.FromMilliseconds(4999));
        Assert.False(disposing.IsCompleted);
        Time.Advance(TimeSpan.FromMilliseconds(1));
        await disposing;

        Assert.Equal(1, pool.Checked().InUse);
        var connection = lease.Connection;
        await lease.DisposeAsync();
        Assert.Equal((1, 0), (connection.DestroyCount, pool.Checked().Total));
    }

    [Fact]
    public async Task Dispose_WithNothingOutstanding_CompletesSynchronously()
    {
        var pool = TestPools.Create(Factory, Time, disposeTimeout: TimeSpan.FromSeconds(5));

        var disposing = pool.DisposeAsync();

        Assert.True(disposing.IsCompletedSuccessfully);
        await disposing;
    }

    [Fact]
    public async Task Dispose_WhenTheFactoryCancellationCallbackThrows_StillCompletes()
    {
        Factory.Gated = true;
        var pool = TestPools.Create(Factory, Time, maxSize: 1, disposeTimeout: Timeout.InfiniteTimeSpan);
        var acquire = pool.AcquireAsync().AsTask();
        await Factory.WaitForPendingAsync(1);
        Factory.PeekNextToken().Register(() => throw new InvalidOperationException("callback broke"));

        var disposing = pool.DisposeAsync().AsTask();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => acquire);
        Factory.FailNext(new OperationCanceledException());
        await disposing;

        Assert.Equal((0, 1L), (pool.Checked().Total, pool.Checked().CreateFailures));
    }
}
