using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.ObjectPool;

namespace Pool.Benchmarks.Suites;

/// <summary>
/// Where the uncontended path's time goes: our pool and the floor called directly (no adapter), and
/// the primitives our acquire + return pays for: the pool's lock taken twice (once to take, once to
/// give back), two clock reads (lease start and idle-since: on <see cref="TimeProvider.System"/> the
/// pool reads <see cref="Environment.TickCount64"/>; the high-resolution
/// <see cref="TimeProvider.GetTimestamp"/> it read before is measured beside it), and the two
/// interlocked operations on the lease state that make a stale or second return a no-op.
/// </summary>
[MemoryDiagnoser]
public class BreakdownBenchmarks
{
    private readonly object _lock = new();
    private readonly TimeProvider _clock = TimeProvider.System;
    private DefaultObjectPool<BenchConnection> _objectPool = null!;
    private ConnectionPool<BenchConnection> _ours = null!;
    private int _guarded;
    private long _leaseState;

    [GlobalSetup]
    public void Setup()
    {
        var factory = new BenchFactory(default);
        _objectPool = new DefaultObjectPool<BenchConnection>(new Policy(factory), 4);
        _objectPool.Return(_objectPool.Get());
        _ours = new ConnectionPool<BenchConnection>(new BenchFactory(default), Adapters.Pools.AcquirePathOptions(4));
        Adapters.Pools.Wait(WarmAsync(_ours));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ours.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true)]
    public void ObjectPoolDirect() => _objectPool.Return(_objectPool.Get());

    [Benchmark]
    public void OursDirect()
    {
#pragma warning disable CA2012 // completed synchronously: an idle connection is always there
        var pending = _ours.AcquireAsync(CancellationToken.None);
#pragma warning restore CA2012
        pending.Result.Dispose();
    }

    [Benchmark]
    public void OursTryAcquire()
    {
        _ours.TryAcquire(out var lease);
        lease.Dispose();
    }

    [Benchmark]
    public void TwoLockSections()
    {
        lock (_lock)
        {
            _guarded++;
        }

        lock (_lock)
        {
            _guarded--;
        }
    }

    [Benchmark]
    public long TwoClockReads() => Environment.TickCount64 + Environment.TickCount64;

    [Benchmark]
    public long TwoHighResolutionClockReads() => _clock.GetTimestamp() + _clock.GetTimestamp();

    [Benchmark]
    public long LeaseStateInterlocked()
    {
        Interlocked.Exchange(ref _leaseState, 2);
        return Interlocked.CompareExchange(ref _leaseState, 0, 2);
    }

    private static async Task WarmAsync(ConnectionPool<BenchConnection> pool)
    {
        var lease = await pool.AcquireAsync().ConfigureAwait(false);
        await lease.DisposeAsync().ConfigureAwait(false);
    }

    private sealed class Policy(BenchFactory factory) : PooledObjectPolicy<BenchConnection>
    {
        public override BenchConnection Create() => factory.CreateNow();

        public override bool Return(BenchConnection obj) => true;
    }
}
