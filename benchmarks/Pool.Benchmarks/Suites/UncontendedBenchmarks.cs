using BenchmarkDotNet.Attributes;
using Pool.Benchmarks.Adapters;

namespace Pool.Benchmarks.Suites;

/// <summary>
/// Benchmark 1: one acquire and its return on one thread, an idle connection always available.
/// The floor is <c>DefaultObjectPool</c> (no bound, no waiting). Goal: ours allocates 0 B and takes
/// at most 1.5× the floor.
/// </summary>
[MemoryDiagnoser]
public class UncontendedBenchmarks
{
    private const int MaxSize = 4;
    private IBenchPool _objectPool = null!;
    private IBenchPool _semaphoreBag = null!;
    private IBenchPool _pythonPort = null!;
    private IBenchPool _ours = null!;
    private IBenchPool _oursDefaults = null!;

    [GlobalSetup]
    public void Setup()
    {
        _objectPool = Pools.ObjectPool(MaxSize);
        _semaphoreBag = Pools.SemaphoreBag(MaxSize);
        _pythonPort = Pools.PythonPort(MaxSize);
        _ours = Pools.Ours(MaxSize);
        _oursDefaults = Pools.OursDefaults(MaxSize);
        foreach (var pool in All())
        {
            Pools.Wait(Pools.WarmAsync(pool, 1));
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var pool in All())
        {
            pool.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    [Benchmark(Baseline = true)]
    public void ObjectPool() => Cycle(_objectPool);

    [Benchmark]
    public void SemaphoreSlimBag() => Cycle(_semaphoreBag);

    [Benchmark]
    public void PythonPort() => Cycle(_pythonPort);

    [Benchmark]
    public void Ours() => Cycle(_ours);

    [Benchmark]
    public void OursDefaultOptions() => Cycle(_oursDefaults);

    private IBenchPool[] All() => [_objectPool, _semaphoreBag, _pythonPort, _ours, _oursDefaults];

    private static void Cycle(IBenchPool pool)
    {
#pragma warning disable CA2012 // consumed once: completed synchronously here (an idle connection is always there)
        var pending = pool.AcquireAsync(CancellationToken.None);
#pragma warning restore CA2012
        if (!pending.IsCompletedSuccessfully)
        {
            throw new InvalidOperationException($"{pool.Name}: an uncontended acquire did not complete at once.");
        }

        pool.Release(pending.Result);
    }
}
