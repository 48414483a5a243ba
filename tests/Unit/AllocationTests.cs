namespace Pool.Tests.Unit;

/// <summary>Allocation (not time) of the uncontended path; the benchmarks measure speed.</summary>
public sealed class AllocationTests
{
    [Fact]
    public async Task AcquireAndReturn_WithAnIdleConnection_AllocatesNothing()
    {
        await using var pool = await OneIdleConnectionOnTheSystemClockAsync();
        for (int i = 0; i < 100; i++)
        {
            SynchronousCycle.Run(pool); // JIT first
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1_000; i++)
        {
            SynchronousCycle.Run(pool);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.Equal((1L, 1_101L), (pool.Checked().Created, pool.Checked().Acquired));
    }

    [Fact]
    public async Task TryAcquireAndDispose_WithAnIdleConnection_AllocatesNothing()
    {
        await using var pool = await OneIdleConnectionOnTheSystemClockAsync();
        Assert.True(pool.TryAcquire(out var first));
        first.Dispose();

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1_000; i++)
        {
            Assert.True(pool.TryAcquire(out var lease));
            lease.Dispose();
            _ = pool.GetStatistics();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public async Task AcquireReturnAndTryAcquire_WithEveryInstrumentListenedTo_AllocateNothing()
    {
        await using var pool = await OneIdleConnectionOnTheSystemClockAsync();
        long recorded = 0;
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter, pool.Meter))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>((_, _, tags, _) => recorded += tags.Length);
        listener.Start();
        for (int i = 0; i < 100; i++)
        {
            SynchronousCycle.Run(pool); // JIT first
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1_000; i++)
        {
            SynchronousCycle.Run(pool);
            Assert.True(pool.TryAcquire(out var lease));
            lease.Dispose();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(2 * 1_100 + 2 * 1_000, recorded); // a wait_time and a use_time per lease, one tag each
    }

    /// <summary>Two slots and one idle connection, on the system clock as in production: the uncontended path these tests measure.</summary>
    private static async Task<ConnectionPool<TestConnection>> OneIdleConnectionOnTheSystemClockAsync()
    {
        var pool = TestPools.Create(new FakeFactory(), new ArmedTimerClock(), maxSize: 2, configure: o => o.TimeProvider = TimeProvider.System);
        await pool.AcquireAndReturnAsync();
        return pool;
    }
}
