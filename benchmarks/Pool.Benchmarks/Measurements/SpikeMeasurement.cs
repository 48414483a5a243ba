using System.Diagnostics;
using Pool.Benchmarks.Adapters;

namespace Pool.Benchmarks.Measurements;

/// <summary>What one pool did over every repetition of benchmark 4.</summary>
internal sealed record SpikeOutcome(string Pool, int[] Created, double[] AllServedMs);

/// <summary>
/// Benchmark 4, HikariCP's spike test: a cold pool of MaxSize 50, 50 acquires at the same instant, a
/// create that takes 150 ms and a use of 2 ms. Counts the creates each pool starts (read 100 ms after
/// the last acquirer is done, so a create reserved for the last waiters is counted too) and the time
/// until all 50 were served. HikariCP's published result: 5–6 connections (DBCP2 45, Tomcat 40).
/// </summary>
internal static class SpikeMeasurement
{
    public const int MaxSize = 50;
    public const int Acquirers = 50;
    public static readonly TimeSpan CreateTime = TimeSpan.FromMilliseconds(150);
    public static readonly TimeSpan Use = TimeSpan.FromMilliseconds(2);

    /// <summary>The pools in the order of the table; a fresh one per repetition.</summary>
    public static IReadOnlyList<(string Name, Func<IBenchPool> Create)> Contenders { get; } =
    [
        ("Ours (defaults: MaxConcurrentCreates = 2)", () => Pools.OursDefaults(MaxSize, CreateTime)),
        ("Ours (MaxConcurrentCreates = 50)", () => Pools.OursDefaults(MaxSize, CreateTime, maxConcurrentCreates: 50)),
        ("SemaphoreSlim+Bag", () => Pools.SemaphoreBag(MaxSize, CreateTime)),
        ("Python port", () => Pools.PythonPort(MaxSize, CreateTime)),
    ];

    public static async Task<IReadOnlyList<SpikeOutcome>> RunAsync(int repetitions, TextWriter log)
    {
        var created = Contenders.Select(_ => new int[repetitions]).ToArray();
        var served = Contenders.Select(_ => new double[repetitions]).ToArray();
        for (int r = 0; r < repetitions; r++)
        {
            for (int c = 0; c < Contenders.Count; c++)
            {
                (created[c][r], served[c][r]) = await OnceAsync(Contenders[c].Create).ConfigureAwait(false);
            }

            await log.WriteLineAsync($"  spike {r + 1}/{repetitions}: created {string.Join(", ", created.Select(x => x[r]))}").ConfigureAwait(false);
        }

        return [.. Contenders.Select((c, i) => new SpikeOutcome(c.Name, created[i], served[i]))];
    }

    private static async Task<(int Created, double AllServedMs)> OnceAsync(Func<IBenchPool> create)
    {
        var pool = create();
        try
        {
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var acquirers = new Task[Acquirers];
            for (int i = 0; i < Acquirers; i++)
            {
                acquirers[i] = Task.Run(async () =>
                {
                    await start.Task.ConfigureAwait(false);
                    var lease = await pool.AcquireAsync(CancellationToken.None).ConfigureAwait(false);
                    await Task.Delay(Use).ConfigureAwait(false);
                    pool.Release(lease);
                });
            }

            long began = Stopwatch.GetTimestamp();
            start.SetResult();
            await Task.WhenAll(acquirers).ConfigureAwait(false);
            double servedMs = Stopwatch.GetElapsedTime(began).TotalMilliseconds;
            await Task.Delay(100).ConfigureAwait(false);
            return (pool.Factory.Created, servedMs);
        }
        finally
        {
            await pool.DisposeAsync().ConfigureAwait(false);
        }
    }
}
