namespace Pool.Tests.Unit;

public sealed class WaiterTests : PoolFixture<FakeTimeProvider>
{
    [Fact]
    public async Task Waiters_FiftyQueuedBehindOneConnection_AreServedInArrivalOrder()
    {
        await using var pool = TestPools.Create(Factory, Time, maxSize: 1);
        var holder = await pool.AcquireAsync();
        var order = new List<int>();
        var waiters = new List<Task>();
        for (int i = 0; i < 50; i++)
        {
            int index = i;
            var acquire = pool.AcquireAsync();
            waiters.Add(Task.Run(async () =>
            {
                await using var lease = await acquire;
                lock (order)
                {
                    order.Add(index);
                }
            }));
        }

        Assert.Equal(50, pool.Checked().Waiters);
        await holder.DisposeAsync();
        await Task.WhenAll(waiters);

        Assert.Equal(Enumerable.Range(0, 50), order);
        Assert.Equal((1L, 51L), (pool.Checked().Created, pool.Checked().Acquired));
    }

    [Fact]
    public async Task Waiter_Cancelled_LeavesTheQueueAtOnceTakesNoSlotAndThrowsWithTheCallersToken()
    {
        await using var pool = TestPools.Create(Factory, Time, maxSize: 1);
        var holder = await pool.AcquireAsync();
        using var cts = new CancellationTokenSource();
        var cancelled = pool.AcquireAsync(cts.Token).AsTask();
        var behind = pool.AcquireAsync().AsTask();
        Assert.Equal(2, pool.Checked().Waiters);

        await cts.CancelAsync();

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal(cts.Token, error.CancellationToken);
        var stats = pool.Checked();
        Assert.Equal((1, 1, 1, 1L), (stats.Waiters, stats.Total, stats.InUse, stats.Cancelled));

        await holder.DisposeAsync();
        await using var lease = await behind;
        Assert.Equal(1L, pool.Checked().Created);
    }

    [Fact]
    public async Task Acquire_WithAnAlreadyCancelledToken_ThrowsAtOnceAndChangesNothing()
    {
        await using var pool = TestPools.Create(Factory, Time, maxSize: 1);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        var task = pool.AcquireAsync(cts.Token);

        Assert.True(task.IsCanceled);
        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task.AsTask());
        Assert.Equal(cts.Token, error.CancellationToken);
        var stats = pool.Checked();
        Assert.Equal((0, 0, 0L, 0L, 0L), (stats.Total, stats.Waiters, stats.Cancelled, stats.Created, stats.Acquired));
        Assert.Equal(0, Factory.CreateCalls);
    }

    [Fact]
    public async Task Waiter_TimedOut_ThrowsPoolExhaustedExceptionNamingTheLimitsAndCounts()
    {
        await using var pool = TestPools.Create(Factory, Time, maxSize: 2, acquireTimeout: TimeSpan.FromSeconds(3));
        var a = await pool.AcquireAsync();
        var b = await pool.AcquireAsync();
        var waiting = pool.AcquireAsync().AsTask();
        var patient = pool.AcquireAsync(TimeSpan.FromSeconds(10)).AsTask();

        Time.Advance(TimeSpan.FromMilliseconds(2999));
        Assert.False(waiting.IsCompleted);
        Time.Advance(TimeSpan.FromMilliseconds(1));

        var error = await Assert.ThrowsAsync<PoolExhaustedException>(() => waiting);
        Assert.IsAssignableFrom<TimeoutException>(error);
        Assert.Equal(
            "Timed out after 00:00:03 waiting for a connection from pool 'test' (MaxSize=2, AcquireTimeout=00:00:03; "
            + "at the timeout InUse=2, Creating=0, Waiters=2). Raise MaxSize or the timeout, or return connections sooner.",
            error.Message);
        var stats = pool.Checked();
        Assert.Equal((1, 2, 1L), (stats.Waiters, stats.Total, stats.TimedOut));
        Assert.False(patient.IsCompleted);

        await a.DisposeAsync();
        await using var lease = await patient;
        await b.DisposeAsync();
    }

    [Fact]
    public async Task Waiter_TimeoutAtTheSameInstantAsAReturn_LosesNothingWhicheverComesFirst()
    {
        for (int returnFirst = 0; returnFirst < 2; returnFirst++)
        {
            var time = new FakeTimeProvider();
            var factory = new FakeFactory();
            await using var pool = TestPools.Create(factory, time, maxSize: 1, acquireTimeout: TimeSpan.FromSeconds(1));
            var holder = await pool.AcquireAsync();
            var waiting = pool.AcquireAsync().AsTask();

            if (returnFirst == 1)
            {
                await holder.DisposeAsync();
                time.Advance(TimeSpan.FromSeconds(1));
                await using var lease = await waiting;
                Assert.Equal((1, 0, 0L), (pool.Checked().InUse, pool.Checked().Idle, pool.Checked().TimedOut));
            }
            else
            {
                time.Advance(TimeSpan.FromSeconds(1));
                await holder.DisposeAsync();
                await Assert.ThrowsAsync<PoolExhaustedException>(() => waiting);
                Assert.Equal((0, 1, 1L), (pool.Checked().InUse, pool.Checked().Idle, pool.Checked().TimedOut));
            }

            Assert.Equal(1, factory.Live);
        }
    }

    [Fact]
    public async Task Waiter_GrantRacingTimeoutOnTwoThreads_EveryConnectionEndsLeasedOrIdle()
    {
        for (int round = 0; round < 300; round++)
        {
            var time = new FakeTimeProvider();
            var factory = new FakeFactory();
            var pool = TestPools.Create(factory, time, maxSize: 1, acquireTimeout: TimeSpan.FromSeconds(1));
            var holder = await pool.AcquireAsync();
            var waiting = pool.AcquireAsync().AsTask();
            using var start = new Barrier(2);

            // Dedicated threads, not the thread pool: a blocked Barrier on a starved pool waits for thread injection.
            var returner = Task.Factory.StartNew(() => { start.SignalAndWait(); holder.Dispose(); }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            var timer = Task.Factory.StartNew(() => { start.SignalAndWait(); time.Advance(TimeSpan.FromSeconds(1)); }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            await Task.WhenAll(returner, timer);

            try
            {
                await using var lease = await waiting;
                Assert.Equal((1, 0), (pool.Checked().InUse, pool.Checked().Idle));
            }
            catch (PoolExhaustedException)
            {
                Assert.Equal((0, 1), (pool.Checked().InUse, pool.Checked().Idle));
            }

            var end = pool.Checked();
            Assert.Equal((1, 0, 1L), (end.Idle, end.Waiters, end.Created));
            await pool.DisposeAsync();
        }
    }

    [Fact]
    public async Task AcquireAsync_TimeoutOutOfRange_ThrowsNamingTheArgumentAndRange()
    {
        await using var pool = TestPools.Create(Factory, Time);

        var zero = Assert.Throws<ArgumentOutOfRangeException>(() => { _ = pool.AcquireAsync(TimeSpan.Zero).AsTask(); });
        Assert.Equal("timeout", zero.ParamName);
        Assert.StartsWith(
            "timeout must be greater than zero and at most 49.17:02:47.2940000, or Timeout.InfiniteTimeSpan.",
            zero.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = pool.AcquireAsync(TimeSpan.FromMilliseconds(-5)).AsTask(); });
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = pool.AcquireAsync(TimeSpan.FromDays(50)).AsTask(); });
        Assert.Equal(0, pool.Checked().Total);

        await using var lease = await pool.AcquireAsync(Timeout.InfiniteTimeSpan);
        Assert.Equal(1, pool.Checked().InUse);
    }
}
