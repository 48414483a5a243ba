using System.Diagnostics;
using Pool.Benchmarks.Adapters;

namespace Pool.Benchmarks.Measurements;

/// <summary>The acquire-wait distribution of one pool under benchmark 3.</summary>
internal sealed record WaitDistribution(string Pool, int Samples, double P50, double P99, double P9999, double Max, double AcquiresPerSecond);

/// <summary>
/// Benchmark 3: 1,000 tasks share 50 connections, each holding its connection 2 ms
/// (<c>Task.Delay</c>) per cycle. Every acquire's wait is timed with Stopwatch timestamps around the
/// await; after one discarded warm-up round, the samples of every round are pooled into p50, p99 and
/// p99.99. Rounds alternate between the pools so drifting machine load hits each alike. A pool that
/// serves strictly in arrival order keeps every wait near (tasks ÷ connections) × hold; one that lets
/// newcomers jump the queue starves some waiters, which shows in p99.99.
/// </summary>
internal static class OversubscribedMeasurement
{
    public const int Tasks = 1_000;
    public const int MaxSize = 50;
    public static readonly TimeSpan Hold = TimeSpan.FromMilliseconds(2);

    public static async Task<IReadOnlyList<WaitDistribution>> RunAsync(int cyclesPerTask, int rounds, TextWriter log)
    {
        IBenchPool[] pools = [Pools.SemaphoreBag(MaxSize), Pools.PythonPort(MaxSize), Pools.Ours(MaxSize)];
        var samples = pools.Select(_ => new List<long[]>()).ToArray();
        var elapsed = new double[pools.Length];
        try
        {
            foreach (var pool in pools)
            {
                await Pools.WarmAsync(pool, MaxSize).ConfigureAwait(false);
            }

            for (int round = 0; round <= rounds; round++)
            {
                for (int p = 0; p < pools.Length; p++)
                {
                    var started = Stopwatch.GetTimestamp();
                    var waits = await RoundAsync(pools[p], cyclesPerTask).ConfigureAwait(false);
                    double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                    await log.WriteLineAsync($"  oversubscribed {(round == 0 ? "warm-up" : $"round {round}/{rounds}")}: {pools[p].Name,-20} {seconds:F2} s").ConfigureAwait(false);
                    if (round > 0)
                    {
                        samples[p].Add(waits);
                        elapsed[p] += seconds;
                    }
                }
            }

            return [.. pools.Select((pool, p) => Summarize(pool, samples[p], elapsed[p]))];
        }
        finally
        {
            foreach (var pool in pools)
            {
                await pool.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static WaitDistribution Summarize(IBenchPool pool, List<long[]> rounds, double seconds)
    {
        if (pool.Factory.Created != MaxSize)
        {
            throw new InvalidOperationException($"{pool.Name} created {pool.Factory.Created} connections, not {MaxSize}.");
        }

        var all = rounds.SelectMany(r => r).Order().ToArray();
        return new WaitDistribution(
            pool.Name,
            all.Length,
            Percentiles.Milliseconds(all, 0.50),
            Percentiles.Milliseconds(all, 0.99),
            Percentiles.Milliseconds(all, 0.9999),
            Percentiles.ToMilliseconds(all[^1]),
            all.Length / seconds);
    }

    private static async Task<long[]> RoundAsync(IBenchPool pool, int cyclesPerTask)
    {
        var waits = new long[Tasks * cyclesPerTask];
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var workers = new Task[Tasks];
        for (int t = 0; t < Tasks; t++)
        {
            int first = t * cyclesPerTask;
            workers[t] = Task.Run(async () =>
            {
                await start.Task.ConfigureAwait(false);
                for (int c = 0; c < cyclesPerTask; c++)
                {
                    long before = Stopwatch.GetTimestamp();
                    var lease = await pool.AcquireAsync(CancellationToken.None).ConfigureAwait(false);
                    waits[first + c] = Stopwatch.GetTimestamp() - before;
                    await Task.Delay(Hold).ConfigureAwait(false);
                    pool.Release(lease);
                }
            });
        }

        start.SetResult();
        await Task.WhenAll(workers).ConfigureAwait(false);
        return waits;
    }
}
