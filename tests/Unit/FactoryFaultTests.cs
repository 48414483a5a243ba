namespace Pool.Tests.Unit;

public sealed class FactoryFaultTests : PoolFixture<FakeTimeProvider>
{
    [Fact]
    public async Task Create_ReturningNull_IsAFailedCreate()
    {
        await using var pool = TestPools.Create(Factory, Time, maxSize: 2);
        Factory.ReturnNull = true;

        var error = await Assert.ThrowsAsync<ConnectionCreateException>(() => pool.AcquireAsync().AsTask());

        Assert.Equal("The pool 'test' could not create a connection: The connection factory returned null.", error.Message);
        Assert.IsType<InvalidOperationException>(error.InnerException);
        Assert.Equal((0, 1L, 0L), (pool.Checked().Total, pool.Checked().CreateFailures, pool.Checked().Created));
    }

    [Fact]
    public async Task Create_ThrowingSynchronously_IsAFailedCreate()
    {
        await using var pool = TestPools.Create(Factory, Time, maxSize: 2);
        Factory.SyncCreateError = new ArgumentException("bad connection string");

        var error = await Assert.ThrowsAsync<ConnectionCreateException>(() => pool.AcquireAsync().AsTask());

        Assert.Same(Factory.SyncCreateError, error.InnerException);
        Assert.Equal((0, 1L), (pool.Checked().Total, pool.Checked().CreateFailures));
        Factory.SyncCreateError = null;
        await using var lease = await pool.AcquireAsync();
        Assert.Equal(1, pool.Checked().InUse);
    }

    [Fact]
    public async Task Destroy_Throwing_IsCountedAndFreesTheSlot()
    {
        await using var pool = TestPools.Create(Factory, Time, maxSize: 1);
        Factory.DestroyError = new IOException("reset by peer");
        var lease = await pool.AcquireAsync();
        lease.Invalidate();

        await lease.DisposeAsync();

        var stats = pool.Checked();
        Assert.Equal((0, 1L, 1L), (stats.Total, stats.Destroyed, stats.DestroyFailures));
        await using var next = await pool.AcquireAsync();
        Assert.Equal(2L, pool.Checked().Created);
    }

    [Fact]
    public async Task Create_ThatFailsWithNoWaiter_IsCountedAndReachesNobody()
    {
        Factory.Gated = true;
        await using var pool = TestPools.Create(Factory, Time, maxSize: 1);
        await OrphanedCreate.LeaveAsync(pool, Factory);

        Factory.FailNext(new IOException("refused"));

        await Waits.Until(() => pool.GetStatistics().Creating == 0, "the create has failed");
        Assert.Equal((0, 1L, 1), (pool.Checked().Total, pool.Checked().CreateFailures, Factory.CreateCalls));
    }
}
