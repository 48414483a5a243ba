namespace Pool.Tests.Unit;

public sealed class DisposeTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly FakeFactory _factory = new();

    [Fact]
    public async Task Dispose_WithWaitersInUseAndCreatesInFlight_FailsWaitersAndDestroysEachConnectionOnce()
    {
        var pool = TestPools.Create(_factory, _time, maxSize: 4, disposeTimeout: Timeout.InfiniteTimeSpan);
        var inUse = await pool.AcquireAsync();
        _factory.Gated = true;
        var waiters = Enumerable.Range(0, 5).Select(_ => pool.AcquireAsync().AsTask()).ToArray();
        await _factory.WaitForPendingAsync(3);
        var before = pool.Checked();
        Assert.Equal((1, 3, 5), (before.InUse, before.Creating, before.Waiters));

        var disposing = pool.DisposeAsync().AsTask();

        foreach (var waiter in waiters)
        {
            var error = await Assert.ThrowsAsync<ObjectDisposedException>(() => waiter);
            Assert.StartsWith("The connection pool 'test' has been disposed.", error.Message, StringComparison.Ordinal);
            Assert.Contains("ConnectionPool", error.ObjectName, StringComparison.Ordinal);
        }

        Assert.True(_factory.PeekNextToken().IsCancellationRequested);
        var draining = pool.Checked();
        Assert.Equal((1, 3, 0, true), (draining.InUse, draining.Creating, draining.Waiters, draining.IsDisposed));

        var late1 = _factory.CompleteNext();
        _factory.FailNext(new OperationCanceledException());
        var late2 = _factory.CompleteNext();
        await Waits.Until(() => pool.GetStatistics().Creating == 0, "the creates in flight have finished");
        Assert.False(disposing.IsCompleted);
        var connection = inUse.Connection;
        await inUse.DisposeAsync();
        await disposing;

        var end = pool.Checked();
        Assert.Equal((0, 3L, 3L, 1L), (end.Total, end.Created, end.Destroyed, end.CreateFailures));
        Assert.Equal((1, 1, 1), (late1.DestroyCount, late2.DestroyCount, connection.DestroyCount));
        Assert.Equal((0, 3), (_factory.Live, _factory.DestroyCalls));
    }

    [Fact]
    public async Task Dispose_WithIdleInUseAndAnOrphanedCreate_DestroysIdleAtOnceAndTheRestWhenTheyFinish()
    {
        var pool = TestPools.Create(_factory, _time, maxSize: 4, disposeTimeout: Timeout.InfiniteTimeSpan);
        var inUse = await pool.AcquireAsync();
        var soonIdle = await pool.AcquireAsync();
        _factory.Gated = true;
        using var cts = new CancellationTokenSource();
        var orphaning = pool.AcquireAsync(cts.Token).AsTask();
        await _factory.WaitForPendingAsync(1);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => orphaning);
        var idleConnection = soonIdle.Connection;
        await soonIdle.DisposeAsync();
        Assert.Equal((1, 1, 1, 0), (pool.Checked().Idle, pool.Checked().InUse, pool.Checked().Creating, pool.Checked().Waiters));

        var disposing = pool.DisposeAsync().AsTask();

        Assert.Equal(1, idleConnection.DestroyCount);
        Assert.Equal((0, 1, 1), (pool.Checked().Idle, pool.Checked().InUse, pool.Checked().Creating));
        var late = _factory.CompleteNext();
        await Waits.Until(() => late.DestroyCount == 1, "the late connection is destroyed");
        await inUse.DisposeAsync();
        await disposing;
        Assert.Equal((0, 3L, 3L), (pool.Checked().Total, pool.Checked().Created, pool.Checked().Destroyed));
    }

    [Fact]
    public async Task Dispose_CalledTwiceAndConcurrently_IsIdempotent()
    {
        var pool = TestPools.Create(_factory, _time, maxSize: 2);
        var lease = await pool.AcquireAsync();
        await lease.DisposeAsync();

        var first = pool.DisposeAsync().AsTask();
        var second = pool.DisposeAsync().AsTask();
        await Task.WhenAll(first, second, pool.DisposeAsync().AsTask());

        Assert.Equal((1, 1L), (_factory.DestroyCalls, pool.Checked().Destroyed));
    }

    [Fact]
    public async Task Acquire_AfterDispose_ThrowsObjectDisposedException()
    {
        var pool = TestPools.Create(_factory, _time);
        await pool.DisposeAsync();

        var error = await Assert.ThrowsAsync<ObjectDisposedException>(() => pool.AcquireAsync().AsTask());
        Assert.StartsWith("The connection pool 'test' has been disposed.", error.Message, StringComparison.Ordinal);
        Assert.Throws<ObjectDisposedException>(() => pool.TryAcquire(out _));
        Assert.Equal(0, _factory.CreateCalls);
    }

    [Fact]
    public async Task Dispose_WithALeaseNeverReturned_CompletesAfterDisposeTimeoutAndDestroysTheLeaseOnReturn()
    {
        var pool = TestPools.Create(_factory, _time, disposeTimeout: TimeSpan.FromSeconds(5));
        var lease = await pool.AcquireAsync();

        var disposing = pool.DisposeAsync().AsTask();
        _time.Advance(TimeSpan.FromMilliseconds(4999));
        Assert.False(disposing.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await disposing;

        Assert.Equal(1, pool.Checked().InUse);
        var connection = lease.Connection;
        await lease.DisposeAsync();
        Assert.Equal((1, 0), (connection.DestroyCount, pool.Checked().Total));
    }

    [Fact]
    public async Task Dispose_WithNothingOutstanding_CompletesSynchronously()
    {
        var pool = TestPools.Create(_factory, _time, disposeTimeout: TimeSpan.FromSeconds(5));

        var disposing = pool.DisposeAsync();

        Assert.True(disposing.IsCompletedSuccessfully);
        await disposing;
    }

    [Fact]
    public async Task Dispose_WhenTheFactoryCancellationCallbackThrows_StillCompletes()
    {
        _factory.Gated = true;
        var pool = TestPools.Create(_factory, _time, maxSize: 1, disposeTimeout: Timeout.InfiniteTimeSpan);
        var acquire = pool.AcquireAsync().AsTask();
        await _factory.WaitForPendingAsync(1);
        _factory.PeekNextToken().Register(() => throw new InvalidOperationException("callback broke"));

        var disposing = pool.DisposeAsync().AsTask();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => acquire);
        _factory.FailNext(new OperationCanceledException());
        await disposing;

        Assert.Equal((0, 1L), (pool.Checked().Total, pool.Checked().CreateFailures));
    }
}
