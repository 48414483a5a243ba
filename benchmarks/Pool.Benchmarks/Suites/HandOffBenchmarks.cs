using BenchmarkDotNet.Attributes;
using Pool.Benchmarks.Adapters;
using Pool.Benchmarks.Peers;

namespace Pool.Benchmarks.Suites;

/// <summary>
/// What one wait costs, without the scheduling noise of benchmark 2: a pool of one connection, held;
/// each operation starts an acquire (it must wait), returns the held connection (which serves that
/// waiter) and awaits the acquire, which then holds the connection. One thread-pool hop per operation
/// in every pool, on one thread. Each pool is called directly, not through the adapter of the other
/// benchmarks, so the bytes per wait are the pool's own. The last row is that hop alone
/// (<c>await Task.Yield()</c>), which no pool that wakes a waiter can beat.
/// Explains benchmark 2.
/// </summary>
[MemoryDiagnoser]
public class HandOffBenchmarks
{
    private const int HandOffs = 1_000;
    private SemaphoreBagPool<BenchConnection> _semaphoreBag = null!;
    private PythonPortPool<BenchConnection> _pythonPort = null!;
    private ConnectionPool<BenchConnection> _ours = null!;
    private BenchConnection _semaphoreBagHeld = null!;
    private BenchConnection _pythonPortHeld = null!;
    private PooledConnection<BenchConnection> _oursHeld;

    [GlobalSetup]
    public void Setup()
    {
        _semaphoreBag = new SemaphoreBagPool<BenchConnection>(new BenchFactory(default).CreateAsync, 1);
        _pythonPort = new PythonPortPool<BenchConnection>(new BenchFactory(default).CreateAsync, 1);
        _ours = new ConnectionPool<BenchConnection>(new BenchFactory(default), Pools.AcquirePathOptions(1));
        _semaphoreBagHeld = _semaphoreBag.AcquireAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
        _pythonPortHeld = _pythonPort.AcquireAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
        _oursHeld = _ours.AcquireAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _semaphoreBag.Return(_semaphoreBagHeld);
        _semaphoreBag.Dispose();
        _pythonPort.Release(_pythonPortHeld);
        _oursHeld.Dispose();
        _ours.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = HandOffs)]
    public Task SemaphoreSlimBag() => Task.Run(async () =>
    {
        var held = _semaphoreBagHeld;
        for (int i = 0; i < HandOffs; i++)
        {
#pragma warning disable CA2012 // awaited exactly once, after the return that serves it
            var pending = _semaphoreBag.AcquireAsync(CancellationToken.None);
#pragma warning restore CA2012
            _semaphoreBag.Return(held);
            held = await pending.ConfigureAwait(false);
        }

        _semaphoreBagHeld = held;
    });

    [Benchmark(OperationsPerInvoke = HandOffs)]
    public Task PythonPort() => Task.Run(async () =>
    {
        var held = _pythonPortHeld;
        for (int i = 0; i < HandOffs; i++)
        {
#pragma warning disable CA2012 // awaited exactly once, after the return that serves it
            var pending = _pythonPort.AcquireAsync(CancellationToken.None);
#pragma warning restore CA2012
            _pythonPort.Release(held);
            held = await pending.ConfigureAwait(false);
        }

        _pythonPortHeld = held;
    });

    [Benchmark(OperationsPerInvoke = HandOffs)]
    public Task Ours() => Task.Run(async () =>
    {
        var held = _oursHeld;
        for (int i = 0; i < HandOffs; i++)
        {
#pragma warning disable CA2012 // awaited exactly once, after the return that serves it
            var pending = _ours.AcquireAsync(CancellationToken.None);
#pragma warning restore CA2012
            held.Dispose();
            held = await pending.ConfigureAwait(false);
        }

        _oursHeld = held;
    });

    [Benchmark(OperationsPerInvoke = HandOffs)]
    public Task NoPoolOneHop() => Task.Run(HopAsync);

    private static async Task HopAsync()
    {
        for (int i = 0; i < HandOffs; i++)
        {
            await Task.Yield();
        }
    }
}
