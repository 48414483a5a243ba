using BenchmarkDotNet.Attributes;
using Pool.Benchmarks.Adapters;

namespace Pool.Benchmarks.Suites;

/// <summary>
/// Benchmark 5: the cost of an acquire that is cancelled while it waits. Each pool has one
/// connection, leased for the whole run, so every acquire waits; the operation creates a token
/// source, starts the acquire, cancels it and observes the <see cref="OperationCanceledException"/>
/// (the exception's cost is part of what a caller pays). Baseline: the SemaphoreSlim + ConcurrentBag
/// pool. <c>DefaultObjectPool</c> never waits, so it has no such cost to compare.
/// </summary>
[MemoryDiagnoser]
public class CancelledAcquireBenchmarks
{
    private readonly List<(IBenchPool Pool, Lease Held)> _pools = [];
    private IBenchPool _semaphoreBag = null!;
    private IBenchPool _pythonPort = null!;
    private IBenchPool _ours = null!;
    private IBenchPool _oursWithTimeout = null!;

    [GlobalSetup]
    public void Setup()
    {
        _semaphoreBag = Pools.SemaphoreBag(1);
        _pythonPort = Pools.PythonPort(1);
        _ours = Pools.Ours(1);
        _oursWithTimeout = Pools.OursWithTimeout(1);
        foreach (var pool in new[] { _semaphoreBag, _pythonPort, _ours, _oursWithTimeout })
        {
            _pools.Add((pool, pool.AcquireAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult()));
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var (pool, held) in _pools)
        {
            pool.Release(held);
            pool.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    [Benchmark(Baseline = true)]
    public Task SemaphoreSlimBag() => CancelWhileWaitingAsync(_semaphoreBag);

    [Benchmark]
    public Task PythonPort() => CancelWhileWaitingAsync(_pythonPort);

    [Benchmark]
    public Task Ours() => CancelWhileWaitingAsync(_ours);

    [Benchmark]
    public Task OursWithTimeout() => CancelWhileWaitingAsync(_oursWithTimeout);

    private static async Task CancelWhileWaitingAsync(IBenchPool pool)
    {
        using var cts = new CancellationTokenSource();
#pragma warning disable CA2012 // awaited exactly once below
        var pending = pool.AcquireAsync(cts.Token);
#pragma warning restore CA2012
        if (pending.IsCompleted)
        {
            throw new InvalidOperationException($"{pool.Name}: the acquire did not wait.");
        }

        cts.Cancel(); // callbacks run here, synchronously: the pool removes its waiter before the await below
        try
        {
            pool.Release(await pending.ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
            return;
        }

        throw new InvalidOperationException($"{pool.Name}: a cancelled acquire got a connection.");
    }
}
