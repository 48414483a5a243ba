using System.Diagnostics;
using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;

namespace Pool.Benchmarks.Suites;

/// <summary>
/// What leak detection costs on the uncontended path: acquire + return with
/// <see cref="ConnectionPoolOptions.LeakDetectionThreshold"/> off (the baseline) and on, in the same run,
/// through <see cref="ConnectionPool{TConnection}.AcquireAsync(CancellationToken)"/> and
/// <see cref="ConnectionPool{TConnection}.TryAcquire"/>; and the stack captures that decide the design:
/// an unformatted <see cref="StackTrace"/> (what the pool keeps for a sampled lease) and a formatted one
/// with file information (what every acquire used to pay).
/// </summary>
[MemoryDiagnoser]
public class LeakDetectionBenchmarks
{
    private ConnectionPool<BenchConnection> _off = null!;
    private ConnectionPool<BenchConnection> _on = null!;

    [GlobalSetup]
    public void Setup()
    {
        _off = new ConnectionPool<BenchConnection>(new BenchFactory(default), Adapters.Pools.AcquirePathOptions(4));
        var on = Adapters.Pools.AcquirePathOptions(4);
        on.LeakDetectionThreshold = TimeSpan.FromSeconds(30);
        _on = new ConnectionPool<BenchConnection>(new BenchFactory(default), on);
        Adapters.Pools.Wait(WarmAsync(_off));
        Adapters.Pools.Wait(WarmAsync(_on));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _off.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _on.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true)]
    public void AcquireLeakDetectionOff() => AcquireAndReturn(_off);

    [Benchmark]
    public void AcquireLeakDetectionOn() => AcquireAndReturn(_on);

    [Benchmark]
    public void TryAcquireLeakDetectionOff() => TryAcquireAndReturn(_off);

    [Benchmark]
    public void TryAcquireLeakDetectionOn() => TryAcquireAndReturn(_on);

    /// <summary>The cheapest stack capture .NET offers: frames only, nothing formatted, no file information.</summary>
    [Benchmark]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public StackTrace StackTraceUnformatted() => new(1, fNeedFileInfo: false);

    /// <summary>The old per-acquire capture: file information read and the whole trace formatted.</summary>
    [Benchmark]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public string StackTraceFormattedWithFileInfo() => new StackTrace(1, fNeedFileInfo: true).ToString();

    private static void AcquireAndReturn(ConnectionPool<BenchConnection> pool)
    {
#pragma warning disable CA2012 // completed synchronously: an idle connection is always there
        var pending = pool.AcquireAsync(CancellationToken.None);
#pragma warning restore CA2012
        pending.Result.Dispose();
    }

    private static void TryAcquireAndReturn(ConnectionPool<BenchConnection> pool)
    {
        pool.TryAcquire(out var lease);
        lease.Dispose();
    }

    private static async Task WarmAsync(ConnectionPool<BenchConnection> pool)
    {
        var lease = await pool.AcquireAsync().ConfigureAwait(false);
        await lease.DisposeAsync().ConfigureAwait(false);
    }
}
