using Pool.Benchmarks.Adapters;

namespace Pool.Benchmarks.Suites;

/// <summary>Benchmark 2's workload, shared by the BenchmarkDotNet suite and the in-process contention probe.</summary>
internal static class ContendedWorkload
{
    /// <summary>Starts <paramref name="tasks"/> tasks, each looping acquire, <c>await Task.Yield()</c>, return.</summary>
    public static Task RunAsync(IBenchPool pool, int tasks, int cyclesPerTask)
    {
        var workers = new Task[tasks];
        for (int i = 0; i < workers.Length; i++)
        {
            workers[i] = Task.Run(() => WorkAsync(pool, cyclesPerTask));
        }

        return Task.WhenAll(workers);
    }

    private static async Task WorkAsync(IBenchPool pool, int cycles)
    {
        for (int i = 0; i < cycles; i++)
        {
            var lease = await pool.AcquireAsync(CancellationToken.None).ConfigureAwait(false);
            await Task.Yield();
            pool.Release(lease);
        }
    }
}
