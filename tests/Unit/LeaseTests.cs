namespace Pool.Tests.Unit;

public sealed class LeaseTests : PoolFixture<FakeTimeProvider>
{
    [Fact]
    public async Task Lease_DisposedTwice_ReturnsOnceAndTheSecondDisposeDoesNothing()
    {
        await using var pool = TestPools.Create(Factory, Time, maxSize: 2);
        var lease = await pool.AcquireAsync();

        await lease.DisposeAsync();
        await lease.DisposeAsync();
        lease.Dispose();

        var stats = pool.Checked();
        Assert.Equal((0, 1, 1L), (stats.InUse, stats.Idle, stats.Acquired));
    }

    [Fact]
    public async Task Lease_ConnectionAfterReturn_ThrowsObjectDisposedException()
    {
        await using var pool = TestPools.Create(Factory, Time);
        var lease = await pool.AcquireAsync();
        Assert.True(lease.IsActive);
        Assert.Equal(1, lease.Connection.Id);

        await lease.DisposeAsync();

        Assert.False(lease.IsActive);
        var error = Assert.Throws<ObjectDisposedException>(() => lease.Connection);
        Assert.Contains("PooledConnection", error.ObjectName, StringComparison.Ordinal);
    }

    [Fact]
    public void Lease_Default_HasNoConnectionAndDisposingItDoesNothing()
    {
        PooledConnection<TestConnection> lease = default;

        var error = Assert.Throws<InvalidOperationException>(() => lease.Connection);
        Assert.Equal("This lease is default: it never held a connection.", error.Message);
        Assert.False(lease.IsActive);
        lease.Invalidate();
        lease.Dispose();
    }

    [Fact]
    public async Task Lease_StaleCopyDisposedAfterTheConnectionWasLeasedAgain_DoesNotReturnTheNewLease()
    {
        await using var pool = TestPools.Create(Factory, Time, maxSize: 1);
        var first = await pool.AcquireAsync();
        var connection = first.Connection;
        var staleCopy = first;
        await first.DisposeAsync();
        var second = await pool.AcquireAsync();
        Assert.False(staleCopy.IsActive);
        Assert.Same(connection, second.Connection);

        await staleCopy.DisposeAsync();
        staleCopy.Invalidate();

        Assert.True(second.IsActive);
        Assert.Equal((1, 0), (pool.Checked().InUse, pool.Checked().Idle));
        Assert.NotEqual(first, second);
        Assert.True(first == staleCopy);
        Assert.True(first != second);
        Assert.Equal(first.GetHashCode(), staleCopy.GetHashCode());
        Assert.False(first.Equals((object)second));
        await second.DisposeAsync();
        Assert.Equal((0, 1, 0), (pool.Checked().InUse, pool.Checked().Idle, Factory.DestroyCalls));
    }

    [Fact]
    public async Task Invalidate_WithAWaiterQueued_DestroysTheConnectionAndServesTheWaiterWithANewOne()
    {
        await using var pool = TestPools.Create(Factory, Time, maxSize: 1);
        var lease = await pool.AcquireAsync();
        var broken = lease.Connection;
        var waiting = pool.AcquireAsync().AsTask();
        Assert.Equal(1, pool.Checked().Waiters);

        lease.Invalidate();
        lease.Invalidate();
        await lease.DisposeAsync();

        await using var replacement = await waiting;
        Assert.NotSame(broken, replacement.Connection);
        Assert.Equal(1, broken.DestroyCount);
        var stats = pool.Checked();
        Assert.Equal((2L, 1L, 1, 0), (stats.Created, stats.Destroyed, stats.InUse, stats.Waiters));
    }

    [Fact]
    public async Task Invalidate_AfterTheLeaseWasReturned_DoesNothing()
    {
        await using var pool = TestPools.Create(Factory, Time, maxSize: 1);
        var lease = await pool.AcquireAsync();
        await lease.DisposeAsync();

        lease.Invalidate();

        Assert.True(pool.TryAcquire(out var again));
        await again.DisposeAsync();
        Assert.Equal((0, 1, 1L), (Factory.DestroyCalls, pool.Checked().Idle, pool.Checked().Created));
    }

    [Fact]
    public async Task InvalidateAndReturn_RacingOnTwoThreads_DestroyOrPoolTheConnectionExactlyOnce()
    {
        for (int round = 0; round < 300; round++)
        {
            var factory = new FakeFactory();
            await using var pool = TestPools.Create(factory, Time, maxSize: 1);
            var lease = await pool.AcquireAsync();
            var connection = lease.Connection;
            using var start = new Barrier(2);

            // Dedicated threads, not the thread pool: a blocked Barrier on a starved pool waits for thread injection.
            await Task.WhenAll(
                Task.Factory.StartNew(() => { start.SignalAndWait(); lease.Invalidate(); }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default),
                Task.Factory.StartNew(() => { start.SignalAndWait(); lease.Dispose(); }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default));

            var stats = pool.Checked();
            Assert.Equal(0, stats.InUse);
            Assert.True(
                (stats.Idle, connection.DestroyCount) is (1, 0) or (0, 1),
                $"expected pooled or destroyed once, got Idle={stats.Idle}, destroys={connection.DestroyCount}");
        }
    }

    [Fact]
    public async Task TryAcquire_WithAnIdleConnection_LeasesItWithoutWaiting()
    {
        await using var pool = TestPools.Create(Factory, Time, maxSize: 2);
        await pool.AcquireAndReturnAsync();

        Assert.True(pool.TryAcquire(out var lease));

        Assert.True(lease.IsActive);
        Assert.Equal((1, 0, 2L), (pool.Checked().InUse, pool.Checked().Idle, pool.Checked().Acquired));
        await lease.DisposeAsync();
    }

    [Fact]
    public async Task TryAcquire_WithNoIdleConnection_ReturnsFalseAndCreatesNothing()
    {
        await using var pool = TestPools.Create(Factory, Time, maxSize: 2);

        Assert.False(pool.TryAcquire(out var lease));

        Assert.Equal(default, lease);
        Assert.Equal((0, 0, 0), (pool.Checked().Total, pool.Checked().Creating, Factory.CreateCalls));
    }
}
