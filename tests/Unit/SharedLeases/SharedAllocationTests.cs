namespace Pool.Tests.Unit.SharedLeases;

/// <summary>The shared fast path (a lease beside others on a connection with room, and its return) allocates nothing.</summary>
public sealed class SharedAllocationTests
{
    [Fact]
    public async Task AcquireAndReturn_BesideALeaseOnAConnectionWithRoom_AllocatesNothing()
    {
        await using var pool = SharedPools.Create(new FakeFactory(), new ArmedTimerClock(), maxLeases: 4, maxSize: 2,
            configure: o => o.TimeProvider = TimeProvider.System);
        await using var holder = await pool.AcquireAsync(); // keeps the connection shared, never idle
        for (int i = 0; i < 100; i++)
        {
            SynchronousCycle.Run(pool); // JIT first
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1_000; i++)
        {
            SynchronousCycle.Run(pool);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal((1L, 1_101L), (pool.Checked().Created, pool.Checked().Acquired));
        Assert.Equal((1, 1, 1), pool.LeaseCounts());
    }
}
