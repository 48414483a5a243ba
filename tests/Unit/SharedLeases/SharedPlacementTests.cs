namespace Pool.Tests.Unit.SharedLeases;

/// <summary>Where a shared lease goes: least busy first (ties: the oldest), a create only when every usable connection is full, FIFO waiters.</summary>
public sealed class SharedPlacementTests : PoolFixture<FakeTimeProvider>
{
    [Fact]
    public async Task Acquire_FillsOneConnectionToTheLimit_ThenSpillsToACreate()
    {
        await using var pool = SharedPools.Create(Factory, Time, maxLeases: 3);

        var first = await pool.AcquireManyAsync(3);

        Assert.All(first, l => Assert.Equal(1, l.Connection.Id));
        Assert.Equal((1, 3, 3), pool.LeaseCounts());
        Assert.Equal(1, Factory.CreateCalls);

        var spill = await pool.AcquireAsync();

        Assert.Equal(2, spill.Connection.Id);
        Assert.Equal((2, 4, 3), pool.LeaseCounts());
        Assert.Equal((2, 2L, 4L), (Factory.CreateCalls, pool.Checked().Created, pool.Checked().Acquired));
    }

    [Fact]
    public async Task Acquire_TakesTheLeastBusyConnection_AndOnATieTheOldest()
    {
        await using var pool = SharedPools.Create(Factory, Time, maxLeases: 3, maxSize: 2);
        var leases = await pool.AcquireManyAsync(4); // c1: 3, c2: 1
        await leases[0].DisposeAsync();
        await leases[1].DisposeAsync(); // c1: 1, c2: 1

        var tie = await pool.AcquireAsync();
        var fewer = await pool.AcquireAsync();
        var tieAgain = await pool.AcquireAsync();

        Assert.Equal((1, 2, 1), (tie.Connection.Id, fewer.Connection.Id, tieAgain.Connection.Id));
        Assert.Equal((2, 5, 3), pool.LeaseCounts());
    }

    [Fact]
    public async Task Acquire_TakesAnIdleConnection_BeforeOneThatHasLeases()
    {
        await using var pool = SharedPools.Create(Factory, Time, maxLeases: 3, maxSize: 2);
        var leases = await pool.AcquireManyAsync(4); // c1: 3, c2: 1
        foreach (var lease in leases.Take(3))
        {
            await lease.DisposeAsync(); // c1 idle
        }

        var next = await pool.AcquireAsync();

        Assert.Equal(1, next.Connection.Id);
        Assert.Equal((2, 2, 1), pool.LeaseCounts());
        Assert.Equal(0, pool.Checked().Idle);
    }

    [Fact]
    public async Task Waiter_IsServedByALeaseFreedOnASharedConnection_WithoutACreate()
    {
        await using var pool = SharedPools.Create(Factory, Time, maxLeases: 2, maxSize: 1);
        var leases = await pool.AcquireManyAsync(2);
        var waiting = pool.AcquireAsync().AsTask();
        Assert.False(waiting.IsCompleted);
        Assert.Equal((1, 0), (pool.Checked().Waiters, pool.Checked().Creating));

        await leases[0].DisposeAsync();
        var served = await waiting.Bounded();

        Assert.Equal(1, served.Connection.Id);
        Assert.Equal((1, 2, 2), pool.LeaseCounts());
        Assert.Equal((1, 0), (Factory.CreateCalls, pool.Checked().Waiters));
    }

    [Fact]
    public async Task NewConnection_ServesUpToTheLimitOfWaitersAtOnce_OneCreatePerLimitOfWaiters()
    {
        Factory.Gated = true;
        await using var pool = SharedPools.Create(Factory, Time, maxLeases: 3, maxSize: 4);
        var waiting = Enumerable.Range(0, 4).Select(_ => pool.AcquireAsync().AsTask()).ToArray();
        await Factory.WaitForPendingAsync(2);
        Assert.Equal((4, 2), (pool.Checked().Waiters, pool.Checked().Creating)); // ⌈4 / 3⌉ creates

        Factory.CompleteNext();
        await Task.WhenAll(waiting.Take(3)).WaitAsync(Waits.DefaultPollTimeout);

        Assert.All(waiting.Take(3), w => Assert.Equal(1, w.Result.Connection.Id));
        Assert.False(waiting[3].IsCompleted); // FIFO: the fourth waits for the second create
        Assert.Equal((1, 3, 3), pool.LeaseCounts());

        Factory.CompleteNext();
        Assert.Equal(2, (await waiting[3].Bounded()).Connection.Id);
        Assert.Equal((2, 4, 3), pool.LeaseCounts());
    }

    [Fact]
    public async Task Waiters_OnAFullPool_AreServedInArrivalOrderAsLeasesComeBack()
    {
        await using var pool = SharedPools.Create(Factory, Time, maxLeases: 2, maxSize: 1);
        var held = await pool.AcquireManyAsync(2);
        var waiting = Enumerable.Range(0, 3).Select(_ => pool.AcquireAsync().AsTask()).ToArray();

        await held[1].DisposeAsync();
        await waiting[0].Bounded();
        Assert.False(waiting[1].IsCompleted);
        await held[0].DisposeAsync();
        await waiting[1].Bounded();

        Assert.False(waiting[2].IsCompleted);
        Assert.Equal(1, pool.Checked().Waiters);
        await (await waiting[0].Bounded()).DisposeAsync();
        await waiting[2].Bounded();
        Assert.Equal((1, 2, 2), pool.LeaseCounts());
    }

    [Fact]
    public async Task TryAcquire_TakesRoomOnAConnectionWithLeases_ButNeverCreates()
    {
        await using var pool = SharedPools.Create(Factory, Time, maxLeases: 2, maxSize: 2);
        var first = await pool.AcquireAsync();

        Assert.True(pool.TryAcquire(out var second));
        Assert.False(pool.TryAcquire(out var none));

        Assert.Equal((1, 1), (first.Connection.Id, second.Connection.Id));
        Assert.Null(none.Entry);
        Assert.Equal((1, 2, 2), pool.LeaseCounts());
        Assert.Equal(1, Factory.CreateCalls);
    }
}
