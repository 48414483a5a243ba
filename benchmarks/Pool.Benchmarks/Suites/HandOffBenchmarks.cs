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

    // Made once in Setup: a delegate made per invocation would count in the bytes per wait.
    private Cycle<BenchConnection> _semaphoreBagCycle = null!;
    private Cycle<BenchConnection> _pythonPortCycle = null!;
    private Cycle<PooledConnection<BenchConnection>> _oursCycle = null!;

    [GlobalSetup]
    public void Setup()
    {
        _semaphoreBag = new SemaphoreBagPool<BenchConnection>(new BenchFactory(default).CreateAsync, 1);
        _pythonPort = new PythonPortPool<BenchConnection>(new BenchFactory(default).CreateAsync, 1);
        _ours = new ConnectionPool<BenchConnection>(new BenchFactory(default), Pools.AcquirePathOptions(1));
        _semaphoreBagHeld = _semaphoreBag.AcquireAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
        _pythonPortHeld = _pythonPort.AcquireAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
        _oursHeld = _ours.AcquireAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
        _semaphoreBagCycle = new(_semaphoreBag.AcquireAsync, _semaphoreBag.Return);
        _pythonPortCycle = new(_pythonPort.AcquireAsync, _pythonPort.Release);
        _oursCycle = new(_ours.AcquireAsync, static lease => lease.Dispose());
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
    public async Task SemaphoreSlimBag() =>
        _semaphoreBagHeld = await HandOffsAsync(_semaphoreBagHeld, _semaphoreBagCycle).ConfigureAwait(false);

    [Benchmark(OperationsPerInvoke = HandOffs)]
    public async Task PythonPort() =>
        _pythonPortHeld = await HandOffsAsync(_pythonPortHeld, _pythonPortCycle).ConfigureAwait(false);

    [Benchmark(OperationsPerInvoke = HandOffs)]
    public async Task Ours() =>
        _oursHeld = await HandOffsAsync(_oursHeld, _oursCycle).ConfigureAwait(false);

    [Benchmark(OperationsPerInvoke = HandOffs)]
    public Task NoPoolOneHop() => Task.Run(HopAsync);

    /// <summary>
    /// <see cref="HandOffs"/> hand-offs on the thread pool: each acquire must wait, and the return of
    /// the held connection serves it.
    /// </summary>
    private static Task<T> HandOffsAsync<T>(T held, Cycle<T> cycle) => Task.Run(async () =>
    {
        for (int i = 0; i < HandOffs; i++)
        {
#pragma warning disable CA2012 // awaited exactly once, after the return that serves it
            var pending = cycle.Acquire(CancellationToken.None);
#pragma warning restore CA2012
            cycle.Release(held);
            held = await pending.ConfigureAwait(false);
        }

        return held;
    });

    private static async Task HopAsync()
    {
        for (int i = 0; i < HandOffs; i++)
        {
            await Task.Yield();
        }
    }

    /// <summary>One pool's acquire and return.</summary>
    private sealed record Cycle<T>(Func<CancellationToken, ValueTask<T>> Acquire, Action<T> Release);
}
