using BenchmarkDotNet.Attributes;
using Pool.Benchmarks.Adapters;

namespace Pool.Benchmarks.Suites;

/// <summary>
/// What one wait costs, without the scheduling noise of benchmark 2: a pool of one connection, held;
/// each operation starts an acquire (it must wait), returns the held connection (which serves that
/// waiter) and awaits the acquire, which then holds the connection. One thread-pool hop per operation
/// in every pool, on one thread. The last row is that hop alone (<c>await Task.Yield()</c>), which no
/// pool that wakes a waiter can beat.
/// Explains benchmark 2.
/// </summary>
[MemoryDiagnoser]
public class HandOffBenchmarks
{
    private const int HandOffs = 1_000;
    private readonly Dictionary<IBenchPool, Lease> _held = [];
    private IBenchPool _semaphoreBag = null!;
    private IBenchPool _pythonPort = null!;
    private IBenchPool _ours = null!;
    private IBenchPool _oursCoarseClock = null!;

    [GlobalSetup]
    public void Setup()
    {
        var coarse = Pools.AcquirePathOptions(1);
        coarse.TimeProvider = new CoarseClock();
        _semaphoreBag = Pools.SemaphoreBag(1);
        _pythonPort = Pools.PythonPort(1);
        _ours = Pools.Ours(1);
        _oursCoarseClock = new OurPoolAdapter("Ours (coarse clock)", new BenchFactory(default), coarse);
        foreach (var pool in new[] { _semaphoreBag, _pythonPort, _ours, _oursCoarseClock })
        {
            _held[pool] = pool.AcquireAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var (pool, held) in _held)
        {
            pool.Release(held);
            pool.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = HandOffs)]
    public Task SemaphoreSlimBag() => Task.Run(() => HandOffAsync(_semaphoreBag));

    [Benchmark(OperationsPerInvoke = HandOffs)]
    public Task PythonPort() => Task.Run(() => HandOffAsync(_pythonPort));

    [Benchmark(OperationsPerInvoke = HandOffs)]
    public Task Ours() => Task.Run(() => HandOffAsync(_ours));

    [Benchmark(OperationsPerInvoke = HandOffs)]
    public Task OursCoarseClock() => Task.Run(() => HandOffAsync(_oursCoarseClock));

    [Benchmark(OperationsPerInvoke = HandOffs)]
    public Task NoPoolOneHop() => Task.Run(HopAsync);

    private static async Task HopAsync()
    {
        for (int i = 0; i < HandOffs; i++)
        {
            await Task.Yield();
        }
    }

    private async Task HandOffAsync(IBenchPool pool)
    {
        var held = _held[pool];
        for (int i = 0; i < HandOffs; i++)
        {
#pragma warning disable CA2012 // awaited exactly once, after the return that serves it
            var pending = pool.AcquireAsync(CancellationToken.None);
#pragma warning restore CA2012
            pool.Release(held);
            held = await pending.ConfigureAwait(false);
        }

        _held[pool] = held;
    }
}
