using BenchmarkDotNet.Attributes;
using Pool.Benchmarks.Adapters;

namespace Pool.Benchmarks.Suites;

/// <summary>
/// Benchmark 7: one shared lease taken and returned on one thread, on a connection that already carries
/// leases and has room (K = 100, 8 connections, each holding one lease for the whole run, so every take
/// is placed beside other leases, never on an idle connection). Against the exclusive idle hit (ours,
/// K = 1) and <c>DefaultObjectPool</c>, in the same run. Goal: ≤ 1.5× the exclusive idle hit, 0 B.
/// </summary>
[MemoryDiagnoser]
public class SharedLeaseBenchmarks
{
    private const int Connections = 8;
    private const int LeasesPerConnection = 100;
    private IBenchPool _objectPool = null!;
    private IBenchPool _exclusive = null!;
    private IBenchPool _shared = null!;
    private Lease[] _held = [];

    [GlobalSetup]
    public void Setup()
    {
        _objectPool = Pools.ObjectPool(Connections);
        _exclusive = Pools.Ours(Connections);
        _shared = Pools.OursShared(Connections, LeasesPerConnection);
        Pools.Wait(Pools.WarmAsync(_objectPool, Connections));
        Pools.Wait(Pools.WarmAsync(_exclusive, Connections));
        Pools.Wait(Pools.WarmSharedAsync(_shared, Connections));

        // One lease on each shared connection: least-busy placement spreads them one per connection,
        // and every measured take lands beside one of them.
        _held = new Lease[Connections];
        for (int i = 0; i < Connections; i++)
        {
            _held[i] = Take(_shared);
        }

        var statistics = ((OurPoolAdapter)_shared).Pool.GetStatistics();
        if (statistics.InUse != Connections || statistics.BusiestConnectionLeases != 1)
        {
            throw new InvalidOperationException($"{_shared.Name}: {Connections} held leases sit on {statistics.InUse} connections, the busiest holding {statistics.BusiestConnectionLeases}.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var lease in _held)
        {
            _shared.Release(lease);
        }

        foreach (var pool in All())
        {
            if (pool.Factory.Created != Connections)
            {
                throw new InvalidOperationException($"{pool.Name} created {pool.Factory.Created} connections, not {Connections}.");
            }

            pool.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    [Benchmark(Baseline = true)]
    public void ObjectPool() => Cycle(_objectPool);

    /// <summary>Today's exclusive pool: an idle connection taken whole and given back.</summary>
    [Benchmark]
    public void OursExclusiveIdleHit() => Cycle(_exclusive);

    /// <summary>A lease placed on the least-busy connection beside the held ones, and returned.</summary>
    [Benchmark]
    public void OursShared() => Cycle(_shared);

    private IBenchPool[] All() => [_objectPool, _exclusive, _shared];

    private static void Cycle(IBenchPool pool) => pool.Release(Take(pool));

    private static Lease Take(IBenchPool pool)
    {
#pragma warning disable CA2012 // consumed once: completed synchronously here (a connection always has room)
        var pending = pool.AcquireAsync(CancellationToken.None);
#pragma warning restore CA2012
        if (!pending.IsCompletedSuccessfully)
        {
            throw new InvalidOperationException($"{pool.Name}: an acquire with room did not complete at once.");
        }

        return pending.Result;
    }
}
