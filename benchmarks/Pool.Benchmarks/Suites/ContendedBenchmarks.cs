using BenchmarkDotNet.Attributes;
using Pool.Benchmarks.Adapters;

namespace Pool.Benchmarks.Suites;

/// <summary>
/// Benchmark 2: more tasks than connections, each task looping acquire, <c>await Task.Yield()</c>
/// while holding, return. One operation is one acquire-hold-return cycle; the mean is the pool's
/// throughput inverted. Baseline: the SemaphoreSlim + ConcurrentBag pool. Goal: ours at least 1.5×
/// its throughput (a ratio of at most 0.67).
/// </summary>
[MemoryDiagnoser]
public class ContendedBenchmarks
{
    /// <summary>Cycles per invocation, whatever the shape (64 × 100 or 8 × 800).</summary>
    public const int CyclesPerInvoke = 6_400;

    private IBenchPool _semaphoreBag = null!;
    private IBenchPool _pythonPort = null!;
    private IBenchPool _ours = null!;
    private IBenchPool _oursWithTimeout = null!;

    [ParamsSource(nameof(Shapes))]
    public ContendedShape Shape { get; set; } = null!;

    public static IReadOnlyList<ContendedShape> Shapes { get; } = [new(64, 16), new(8, 4)];

    [GlobalSetup]
    public void Setup()
    {
        _semaphoreBag = Pools.SemaphoreBag(Shape.MaxSize);
        _pythonPort = Pools.PythonPort(Shape.MaxSize);
        _ours = Pools.Ours(Shape.MaxSize);
        _oursWithTimeout = Pools.OursWithTimeout(Shape.MaxSize);
        foreach (var pool in All())
        {
            Pools.Wait(Pools.WarmAsync(pool, Shape.MaxSize));
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var pool in All())
        {
            if (pool.Factory.Created != Shape.MaxSize)
            {
                throw new InvalidOperationException($"{pool.Name} created {pool.Factory.Created} connections, not {Shape.MaxSize}.");
            }

            pool.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = CyclesPerInvoke)]
    public Task SemaphoreSlimBag() => RunAsync(_semaphoreBag);

    [Benchmark(OperationsPerInvoke = CyclesPerInvoke)]
    public Task PythonPort() => RunAsync(_pythonPort);

    [Benchmark(OperationsPerInvoke = CyclesPerInvoke)]
    public Task Ours() => RunAsync(_ours);

    [Benchmark(OperationsPerInvoke = CyclesPerInvoke)]
    public Task OursWithTimeout() => RunAsync(_oursWithTimeout);


    /// <summary>
    /// No pool: each cycle yields twice, once where a pool would wake the next waiter and once for the
    /// hold. A pool that hands each returned connection to the oldest waiter pays both hops per cycle,
    /// so this is the floor of any FIFO hand-off on this machine.
    /// </summary>
    [Benchmark(OperationsPerInvoke = CyclesPerInvoke)]
    public Task NoPoolTwoYields()
    {
        var workers = new Task[Shape.Tasks];
        int cycles = Shape.CyclesPerTask;
        for (int i = 0; i < workers.Length; i++)
        {
            workers[i] = Task.Run(() => YieldTwiceAsync(cycles));
        }

        return Task.WhenAll(workers);
    }

    private static async Task YieldTwiceAsync(int cycles)
    {
        for (int i = 0; i < cycles; i++)
        {
            await Task.Yield();
            await Task.Yield();
        }
    }

    private IBenchPool[] All() => [_semaphoreBag, _pythonPort, _ours, _oursWithTimeout];

    private Task RunAsync(IBenchPool pool) => ContendedWorkload.RunAsync(pool, Shape.Tasks, Shape.CyclesPerTask);
}
