using System.Runtime.CompilerServices;

namespace Pool.Tests.Unit;

/// <summary>
/// Leak detection's stacks are cheap: 1 in <see cref="LeaseSites.SamplePeriod"/> acquires that get a
/// lease captures its stack (unformatted), every acquire once a leak has been suspected, a TryAcquire
/// that finds nothing never; a stack is formatted only when its leak is reported.
/// </summary>
public sealed class LeakSamplingTests : PoolFixture<ArmedTimerClock>
{
    private const string Header = "Pool 'test': a connection has been leased for 00:00:10 (LeakDetectionThreshold 00:00:10); it was acquired at:\n";
    private readonly FakeLogCollector _logs = new();

    [Fact]
    public async Task LeakSuspected_OfASampledAcquire_ShowsTheStackFromTheAcquiringMethodOn_FormattedOnlyAtTheReport()
    {
        using var loggers = Telemetry.Logs(_logs);
        await using var pool = LeakPool(loggers);

        var lease = await AcquireHereAsync(pool);

        // Held unformatted and without file information until the report.
        var site = Assert.IsType<System.Diagnostics.StackTrace>(lease.Entry!.LeaseSite);
        Assert.All(site.GetFrames(), frame => Assert.Null(frame.GetFileName()));
        Time.Advance(TimeSpan.FromSeconds(10));
        pool.RunMaintenance();
        var leak = Assert.Single(_logs.GetSnapshot());
        Assert.Equal("LeakSuspected", leak.Id.Name);
        Assert.StartsWith(
            Header + $"   at {typeof(LeakSamplingTests).FullName}.{nameof(AcquireHereAsync)}(ConnectionPool`1 pool)\n",
            leak.Message.ReplaceLineEndings("\n"),
            StringComparison.Ordinal);
        Assert.Contains($"{nameof(LeakSuspected_OfASampledAcquire_ShowsTheStackFromTheAcquiringMethodOn_FormattedOnlyAtTheReport)}()", leak.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("ConnectionPool`1.Acquire", leak.Message, StringComparison.Ordinal); // the pool's own frames are dropped
        await lease.DisposeAsync();
    }

    [Fact]
    public async Task LeakSuspected_OfAnAcquireNotSampled_SaysWhy_AndFromThenOnEveryAcquireCapturesItsStack()
    {
        using var loggers = Telemetry.Logs(_logs);
        await using var pool = LeakPool(loggers);
        var first = await pool.AcquireAsync();   // acquire 0: sampled
        var leaked = await pool.AcquireAsync();  // acquire 1: not sampled
        await first.DisposeAsync();              // idle again, for the TryAcquire below
        Assert.Equal(1L, pool.LeaseStacksCaptured);

        Time.Advance(TimeSpan.FromSeconds(10));
        pool.RunMaintenance();

        var leak = Assert.Single(_logs.GetSnapshot());
        Assert.Equal(
            Header + "(stack not captured: the pool captures the stack of 1 in 1024 acquires until it suspects a leak, "
                + "and of every acquire from then on, so the next leak from this place is reported with its stack)",
            leak.Message);
        Assert.True(pool.TryAcquire(out var another));
        var next = await AcquireHereAsync(pool);
        Assert.Equal(3L, pool.LeaseStacksCaptured);
        Assert.NotNull(another.Entry!.LeaseSite);
        Time.Advance(TimeSpan.FromSeconds(10));
        pool.RunMaintenance();
        var reports = _logs.GetSnapshot().Select(r => r.Message).ToArray();
        Assert.Equal(3, reports.Length);
        Assert.Contains($".{nameof(LeakSuspected_OfAnAcquireNotSampled_SaysWhy_AndFromThenOnEveryAcquireCapturesItsStack)}(", reports[1], StringComparison.Ordinal);
        Assert.Contains($".{nameof(AcquireHereAsync)}(", reports[2], StringComparison.Ordinal);
        await leaked.DisposeAsync();
        await next.DisposeAsync();
        another.Dispose();
    }

    [Fact]
    public async Task Sampling_CapturesTheFirstAcquireAndThenOneIn1024()
    {
        await using var pool = LeakPool(loggers: null);

        var counts = new List<long>();
        for (int i = 1; i <= 2 * LeaseSites.SamplePeriod + 1; i++)
        {
            await pool.AcquireAndReturnAsync();
            if (i is 1 or 2 or LeaseSites.SamplePeriod or LeaseSites.SamplePeriod + 1 or 2 * LeaseSites.SamplePeriod + 1)
            {
                counts.Add(pool.LeaseStacksCaptured);
            }
        }

        Assert.Equal([1L, 1L, 1L, 2L, 3L], counts);
    }

    [Fact]
    public async Task TryAcquire_ThatFindsNothing_CapturesNoStackAndAllocatesNothing()
    {
        await using var pool = LeakPool(loggers: null, maxSize: 1);
        var held = await pool.AcquireAsync();
        long capturedBefore = pool.LeaseStacksCaptured;
        Assert.False(pool.TryAcquire(out _)); // JIT first

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1_000; i++)
        {
            Assert.False(pool.TryAcquire(out _));
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal((1L, 1L), (capturedBefore, pool.LeaseStacksCaptured));
        await held.DisposeAsync();
    }

    [Fact]
    public async Task WaitedAcquire_CapturesOnTheAcquirersThread_AndTheLeaseItGetsCarriesThatStack()
    {
        using var loggers = Telemetry.Logs(_logs);
        await using var pool = LeakPool(loggers, maxSize: 1);
        var held = await pool.AcquireAsync(); // acquire 0: sampled
        pool.RunMaintenance();                 // nothing leaked yet
        Time.Advance(TimeSpan.FromSeconds(10));
        pool.RunMaintenance();                 // held is suspected: every acquire captures from now on
        _logs.Clear();

        var waiting = WaitHereAsync(pool);
        Assert.Equal(2L, pool.LeaseStacksCaptured); // captured before it waited
        await held.DisposeAsync();
        var lease = await waiting;
        Time.Advance(TimeSpan.FromSeconds(10));
        pool.RunMaintenance();

        var leak = Assert.Single(_logs.GetSnapshot(), r => r.Id.Name == "LeakSuspected");
        Assert.StartsWith(Header + $"   at {typeof(LeakSamplingTests).FullName}.{nameof(WaitHereAsync)}(ConnectionPool`1 pool)\n", leak.Message.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        await lease.DisposeAsync();
    }

    private ConnectionPool<TestConnection> LeakPool(ILoggerFactory? loggers, int maxSize = 4) =>
        // DisposeTimeout 0: a test that fails with a lease still out must not hang in dispose.
        TestPools.Create(Factory, Time, maxSize, disposeTimeout: TimeSpan.Zero, configure: o =>
        {
            o.LeakDetectionThreshold = TimeSpan.FromSeconds(10);
            o.LoggerFactory = loggers;
        });

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<PooledConnection<TestConnection>> AcquireHereAsync(ConnectionPool<TestConnection> pool) =>
        await pool.AcquireAsync();

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<PooledConnection<TestConnection>> WaitHereAsync(ConnectionPool<TestConnection> pool) =>
        await pool.AcquireAsync();
}
