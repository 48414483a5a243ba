using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;

namespace Pool.Benchmarks.Qdrant;

/// <summary>What a closed-loop run saw: successes with their latencies, failures by status.</summary>
internal sealed record LoopResult(long[] SortedTicks, IReadOnlyDictionary<StatusCode, long> Failures, TimeSpan Elapsed)
{
    public long Succeeded => SortedTicks.Length;

    public long Failed => Failures.Values.Sum();

    public double CallsPerSecond => Succeeded / Elapsed.TotalSeconds;

    public double SuccessShare => Succeeded + Failed == 0 ? 0 : (double)Succeeded / (Succeeded + Failed);
}

/// <summary>
/// Callers that each make one call after another for a while (a closed loop, as request handlers
/// do): what a client can carry, and how its latency grows, under a fixed number of callers.
/// </summary>
internal static class ClosedLoop
{
    // After a failure a caller pauses, as an app would, so a fast-failing client does not spin.
    private static readonly TimeSpan PauseAfterFailure = TimeSpan.FromMilliseconds(5);

    public static async Task<LoopResult> RunAsync(int callers, TimeSpan duration, Func<CancellationToken, Task> call)
    {
        var latencies = new ConcurrentBag<long[]>();
        var failures = new ConcurrentDictionary<StatusCode, long>();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Task.Run(async () =>
        {
            var mine = new List<long>();
            while (clock.Elapsed < duration)
            {
                long start = Stopwatch.GetTimestamp();
                try
                {
                    await call(CancellationToken.None).ConfigureAwait(false);
                    mine.Add(Stopwatch.GetTimestamp() - start);
                }
                catch (RpcException error)
                {
                    failures.AddOrUpdate(error.StatusCode, 1, (_, n) => n + 1);
                    await Task.Delay(PauseAfterFailure).ConfigureAwait(false);
                }
            }

            latencies.Add([.. mine]);
        }))).ConfigureAwait(false);
        var sorted = latencies.SelectMany(l => l).Order().ToArray();
        return new LoopResult(sorted, failures, clock.Elapsed);
    }
}
