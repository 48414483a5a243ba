using System.Diagnostics;
using Pool.Benchmarks.Adapters;
using Pool.Benchmarks.Suites;

namespace Pool.Benchmarks.Measurements;

/// <summary>What one pool's contended cycle cost the process, per cycle, in benchmark 2's workload.</summary>
internal sealed record ContentionCounts(
    string Shape, string Pool, double NsPerCycle, double CpuNsPerCycle, double LockContentionsPerCycle, double Gen0PerThousandCycles, double WorkItemsPerCycle, double BytesPerCycle);

/// <summary>
/// Benchmark 2's workload run in this process with the runtime's counters read around it: contended
/// lock acquisitions (<see cref="Monitor.LockContentionCount"/>; SemaphoreSlim and ConcurrentBag
/// take monitors too), gen-0 collections, thread-pool work items and allocated bytes, each per
/// cycle. BenchmarkDotNet gives the time; this says what the time went into. Rounds alternate
/// between the pools.
/// </summary>
internal static class ContentionProbe
{
    private const int CyclesPerRound = 64_000;

    public static async Task<IReadOnlyList<ContentionCounts>> RunAsync(int rounds, TextWriter log)
    {
        var results = new List<ContentionCounts>();
        foreach (var shape in ContendedBenchmarks.Shapes)
        {
            IBenchPool[] pools = [Pools.SemaphoreBag(shape.MaxSize), Pools.PythonPort(shape.MaxSize), Pools.Ours(shape.MaxSize)];
            var totals = new Totals[pools.Length];
            try
            {
                foreach (var pool in pools)
                {
                    await Pools.WarmAsync(pool, shape.MaxSize).ConfigureAwait(false);
                }

                for (int round = 0; round <= rounds; round++)
                {
                    for (int p = 0; p < pools.Length; p++)
                    {
                        var measured = await MeasureAsync(pools[p], shape.Tasks, CyclesPerRound / shape.Tasks).ConfigureAwait(false);
                        if (round > 0)
                        {
                            totals[p] = totals[p].Add(measured);
                        }
                    }
                }

                await log.WriteLineAsync($"  contention probe: {shape} done").ConfigureAwait(false);
                results.AddRange(pools.Select((pool, p) => totals[p].PerCycle(shape.ToString(), pool.Name, rounds * CyclesPerRound)));
            }
            finally
            {
                foreach (var pool in pools)
                {
                    await pool.DisposeAsync().ConfigureAwait(false);
                }
            }
        }

        return results;
    }

    private static async Task<Totals> MeasureAsync(IBenchPool pool, int tasks, int cyclesPerTask)
    {
        long contentions = Monitor.LockContentionCount;
        int gen0 = GC.CollectionCount(0);
        long workItems = ThreadPool.CompletedWorkItemCount;
        long bytes = GC.GetTotalAllocatedBytes(precise: true);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        long started = Stopwatch.GetTimestamp();
        await ContendedWorkload.RunAsync(pool, tasks, cyclesPerTask).ConfigureAwait(false);
        return new Totals(
            Stopwatch.GetElapsedTime(started).Ticks,
            (Process.GetCurrentProcess().TotalProcessorTime - cpu).Ticks,
            Monitor.LockContentionCount - contentions,
            GC.CollectionCount(0) - gen0,
            ThreadPool.CompletedWorkItemCount - workItems,
            GC.GetTotalAllocatedBytes(precise: true) - bytes);
    }

    private readonly record struct Totals(long ElapsedTicks, long CpuTicks, long Contentions, long Gen0, long WorkItems, long Bytes)
    {
        public Totals Add(Totals other) => new(
            ElapsedTicks + other.ElapsedTicks, CpuTicks + other.CpuTicks, Contentions + other.Contentions, Gen0 + other.Gen0, WorkItems + other.WorkItems, Bytes + other.Bytes);

        public ContentionCounts PerCycle(string shape, string pool, double cycles) => new(
            shape, pool, ElapsedTicks * 100 / cycles, CpuTicks * 100 / cycles, Contentions / cycles, Gen0 * 1000 / cycles, WorkItems / cycles, Bytes / cycles);
    }
}
