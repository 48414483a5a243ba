namespace Pool.Tests.Unit;

public sealed class ResizeWarmUpAndTimeoutTests : PoolFixture<ArmedTimerClock>
{
    [Fact]
    public async Task SetMaxSize_LoweredUnderLoad_NeverFailsALeaseAndDestroysSurplusAsItComesBack()
    {
        await using var pool = TestPools.Create(Factory, Time, maxSize: 4);
        var leases = await pool.AcquireManyAsync(4);

        pool.SetMaxSize(2);

        var shrinking = pool.Checked();
        Assert.Equal((2, 4, 4), (shrinking.MaxSize, shrinking.Ceiling, shrinking.Total));
        Assert.All(leases, l => Assert.True(l.IsActive));
        var waiting = pool.AcquireAsync().AsTask();
        Assert.Equal(0, pool.Checked().Creating);

        await leases[0].DisposeAsync();
        Assert.Equal((1L, 3, 3), (pool.Checked().DestroyedSurplus, pool.Checked().Total, pool.Checked().Ceiling));
        Assert.False(waiting.IsCompleted);
        await leases[1].DisposeAsync();
        Assert.Equal((2L, 2, 2), (pool.Checked().DestroyedSurplus, pool.Checked().Total, pool.Checked().Ceiling));
        await leases[2].DisposeAsync();

        await using var served = await waiting;
        Assert.Equal((2, 2L, 4L), (pool.Checked().InUse, pool.Checked().DestroyedSurplus, pool.Checked().Created));
        await leases[3].DisposeAsync();
    }

    [Fact]
    public async Task SetMaxSize_LoweredWithIdleConnections_DestroysSurplusIdleAtOnce()
    {
        await using var pool = TestPools.Create(Factory, Time, maxSize: 4);
        var leases = await pool.AcquireManyAsync(4);

        foreach (var lease in leases)
        {
            await lease.DisposeAsync();
        }

        pool.SetMaxSize(1);

        Assert.Equal((1, 1, 3L, 1), (pool.Checked().Idle, pool.Checked().Ceiling, pool.Checked().DestroyedSurplus, Factory.Live));
    }

    [Fact]
    public async Task SetMaxSize_Raised_ServesWaitersAtOnce()
    {
        await using var pool = TestPools.Create(Factory, Time, maxSize: 1);
        var holder = await pool.AcquireAsync();
        var waiters = Enumerable.Range(0, 3).Select(_ => pool.AcquireAsync().AsTask()).ToArray();
        Assert.Equal(3, pool.Checked().Waiters);

        pool.SetMaxSize(4);

        var leases = await Task.WhenAll(waiters);
        Assert.Equal((4, 4, 4L), (pool.Checked().MaxSize, pool.Checked().InUse, pool.Checked().Created));
        foreach (var lease in leases.Append(holder))
        {
            await lease.DisposeAsync();
        }
    }

    [Fact]
    public async Task SetMaxSizeAndSetMinSize_OutOfRange_ThrowNamingTheArgumentAndRange()
    {
        await using var pool = TestPools.Create(Factory, Time, maxSize: 4, minSize: 2);
        await pool.WarmUpAsync();

        var zero = Assert.Throws<ArgumentOutOfRangeException>(() => pool.SetMaxSize(0));
        Assert.Equal("maxSize", zero.ParamName);
        Assert.StartsWith("maxSize must be at least 1 and at least MinSize (2).", zero.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.SetMaxSize(1));
        var min = Assert.Throws<ArgumentOutOfRangeException>(() => pool.SetMinSize(5));
        Assert.Equal("minSize", min.ParamName);
        Assert.StartsWith("minSize must be between 0 and MaxSize (4).", min.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.SetMinSize(-1));
        Assert.Equal((4, 2, 2), (pool.Checked().MaxSize, pool.Checked().MinSize, pool.Checked().Total));
    }

    [Fact]
    public async Task SetMinSize_Raised_FillsInTheBackground()
    {
        await using var pool = TestPools.Create(Factory, Time, maxSize: 4);

        pool.SetMinSize(3);
        await pool.WarmUpAsync();

        Assert.Equal((3, 3L), (pool.Checked().Idle, pool.Checked().Created));
    }

    [Fact]
    public async Task WarmUpAsync_WaitsUntilMinSizeConnectionsAreOpen()
    {
        Factory.Gated = true;
        await using var pool = TestPools.Create(Factory, Time, maxSize: 4, minSize: 2);
        var warming = pool.WarmUpAsync();
        await Factory.WaitForPendingAsync(2);
        Factory.CompleteNext();
        Assert.False(warming.IsCompleted);

        Factory.CompleteNext();

        await warming;
        Assert.Equal(2, pool.Checked().Idle);
        Assert.True(pool.WarmUpAsync().IsCompletedSuccessfully);
    }

    [Fact]
    public async Task WarmUpAsync_CancelledOrDisposed_EndsWithTheMatchingException()
    {
        Factory.Gated = true;
        var pool = TestPools.Create(Factory, Time, maxSize: 4, minSize: 2, disposeTimeout: Timeout.InfiniteTimeSpan);
        await Factory.WaitForPendingAsync(2);
        using var cts = new CancellationTokenSource();
        var cancelled = pool.WarmUpAsync(cts.Token);
        var disposed = pool.WarmUpAsync();

        await cts.CancelAsync();
        var cancel = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal(cts.Token, cancel.CancellationToken);

        var disposing = pool.DisposeAsync().AsTask();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => disposed);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => pool.WarmUpAsync());
        Factory.CompleteNext();
        Factory.CompleteNext();
        await disposing;
        Assert.Equal(0, Factory.Live);
    }

    [Fact]
    public async Task CreateTimeout_FactoryIgnoresCancellation_FreesTheSlotAndDestroysTheLateConnection()
    {
        Factory.Gated = true;
        await using var pool = TestPools.Create(Factory, Time, maxSize: 1, acquireTimeout: TimeSpan.FromMinutes(1),
            configure: o => o.CreateTimeout = TimeSpan.FromSeconds(5));
        var acquire = pool.AcquireAsync().AsTask();
        await Factory.WaitForPendingAsync(1);
        await Time.UntilArmedAsync(2, "the create deadline and the acquire deadline are armed");
        var token = Factory.PeekNextToken();

        Time.Advance(TimeSpan.FromSeconds(5));

        var error = await Assert.ThrowsAsync<ConnectionCreateException>(() => acquire);
        Assert.Equal("The pool 'test' could not create a connection: The pool 'test' abandoned a create after CreateTimeout (00:00:05).", error.Message);
        Assert.IsType<TimeoutException>(error.InnerException);
        Assert.True(token.IsCancellationRequested);
        var abandoned = pool.Checked();
        Assert.Equal((0, 0, 1L, 1L, 1), (abandoned.Total, abandoned.Creating, abandoned.CreateTimeouts, abandoned.CreateFailures, abandoned.Abandoned));

        var late = Factory.CompleteNext();

        // The factory marks the connection destroyed before the pool counts the destroy as finished.
        await Waits.Until(() => late.DestroyCount == 1 && pool.GetStatistics().Abandoned == 0, "the late connection is destroyed");
        var end = pool.Checked();
        Assert.Equal((0, 1L, 0L, 0L, 0), (end.Total, end.LateConnections, end.Created, end.Destroyed, end.Abandoned));
        Assert.Equal(0, Factory.Live);
    }

    [Fact]
    public async Task CreateTimeout_FactoryHonoursCancellation_FailsOnceAndDisposeDoesNotWait()
    {
        Factory.Gated = true;
        Factory.HonorCancellation = true;
        var (pool, acquire) = await StartACreateWithAFiveSecondDeadlineAsync();

        Time.Advance(TimeSpan.FromSeconds(5));

        await Assert.ThrowsAsync<ConnectionCreateException>(() => acquire);
        await Waits.Until(() => pool.GetStatistics().Abandoned == 0, "the abandoned create ended");
        Assert.Equal((1L, 1L, 0L), (pool.Checked().CreateTimeouts, pool.Checked().CreateFailures, pool.Checked().LateConnections));
        await pool.DisposeAsync();
    }

    [Fact]
    public async Task Dispose_WaitsForAnAbandonedCreateToFinish()
    {
        Factory.Gated = true;
        var (pool, acquire) = await StartACreateWithAFiveSecondDeadlineAsync();
        Time.Advance(TimeSpan.FromSeconds(5));
        await Assert.ThrowsAsync<ConnectionCreateException>(() => acquire);

        var disposing = pool.DisposeAsync().AsTask();
        Assert.False(disposing.IsCompleted);
        var late = Factory.CompleteNext();

        await disposing;
        Assert.Equal((1, 0), (late.DestroyCount, pool.Checked().Abandoned));
    }

    /// <summary>A pool of one with CreateTimeout 5 s, an acquire waiting on a gated create, and both deadlines armed.</summary>
    private async Task<(ConnectionPool<TestConnection> Pool, Task<PooledConnection<TestConnection>> Acquire)> StartACreateWithAFiveSecondDeadlineAsync()
    {
        var pool = TestPools.Create(Factory, Time, maxSize: 1, disposeTimeout: Timeout.InfiniteTimeSpan, configure: o => o.CreateTimeout = TimeSpan.FromSeconds(5));
        var acquire = pool.AcquireAsync().AsTask();
        await Factory.WaitForPendingAsync(1);
        await Time.UntilArmedAsync(2, "the deadlines are armed");
        return (pool, acquire);
    }
}
