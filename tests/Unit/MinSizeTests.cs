namespace Pool.Tests.Unit;

public sealed class MinSizeTests : PoolFixture<FakeTimeProvider>
{
    [Fact]
    public async Task MinSize_AfterConstruction_IsFilledInTheBackground()
    {
        await using var pool = TestPools.Create(Factory, Time, maxSize: 5, minSize: 3);

        await Waits.Until(() => pool.GetStatistics().Idle == 3, "MinSize connections are idle");

        Assert.Equal((3, 3L, 3), (pool.Checked().Total, pool.Checked().Created, Factory.CreateCalls));
    }

    [Fact]
    public async Task MinSize_AfterAnInvalidation_IsRefilled()
    {
        await using var pool = TestPools.Create(Factory, Time, maxSize: 5, minSize: 2);
        await Waits.Until(() => pool.GetStatistics().Idle == 2, "MinSize connections are idle");
        var lease = await pool.AcquireAsync();
        lease.Invalidate();

        await lease.DisposeAsync();

        await Waits.Until(() => pool.GetStatistics().Idle == 2, "the pool refilled to MinSize");
        Assert.Equal((3L, 1L), (pool.Checked().Created, pool.Checked().Destroyed));
    }
}
