using BenchmarkDotNet.Attributes;
using Pool.Benchmarks.Adapters;

namespace Pool.Benchmarks.Suites;

/// <summary>
/// Benchmark 8: 64 tasks share 4 connections, 16 leases each (64 calls in flight at most), each task
/// looping acquire, <c>await Task.Yield()</c> while holding, return. Ours with
/// MaxLeasesPerConnection = 16 against the hand-rolled SemaphoreSlim bound over the same 4 connections
/// shared round-robin (the baseline), and ours exclusive on 4 connections (what sharing buys).
/// </summary>
[MemoryDiagnoser]
public class SharedContendedBenchmarks
{
    private const int Tasks = 64;
    private const int Connections = 4;
    private const int LeasesPerConnection = 16;
    private const int CyclesPerTask = ContendedBenchmarks.CyclesPerInvoke / Tasks;

    private IBenchPool _semaphore = null!;
    private IBenchPool _shared = null!;
    private IBenchPool _exclusive = null!;

    [GlobalSetup]
    public void Setup()
    {
        _semaphore = Pools.SharedSemaphore(Connections, LeasesPerConnection);
        _shared = Pools.OursShared(Connections, LeasesPerConnection);
        _exclusive = Pools.Ours(Connections);
        Pools.Wait(Pools.WarmSharedAsync(_shared, Connections));
        Pools.Wait(Pools.WarmAsync(_exclusive, Connections));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var pool in new[] { _semaphore, _shared, _exclusive })
        {
            if (pool.Factory.Created != Connections)
            {
                throw new InvalidOperationException($"{pool.Name} created {pool.Factory.Created} connections, not {Connections}.");
            }

            pool.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = ContendedBenchmarks.CyclesPerInvoke)]
    public Task SemaphoreSlimShared() => ContendedWorkload.RunAsync(_semaphore, Tasks, CyclesPerTask);

    [Benchmark(OperationsPerInvoke = ContendedBenchmarks.CyclesPerInvoke)]
    public Task OursShared() => ContendedWorkload.RunAsync(_shared, Tasks, CyclesPerTask);

    [Benchmark(OperationsPerInvoke = ContendedBenchmarks.CyclesPerInvoke)]
    public Task OursExclusive() => ContendedWorkload.RunAsync(_exclusive, Tasks, CyclesPerTask);
}
