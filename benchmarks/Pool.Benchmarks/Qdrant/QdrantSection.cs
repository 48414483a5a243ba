using System.Globalization;

namespace Pool.Benchmarks.Qdrant;

/// <summary>The Qdrant section of RESULTS.md: the issue's targets next to what this run measured.</summary>
internal static class QdrantSection
{
    public static IEnumerable<string> Lines(QdrantFigures f)
    {
        var inv = CultureInfo.InvariantCulture;
        var (single, pooled) = (f.Load[0], f.Load[1]);
        yield return string.Create(inv, $"## Qdrant: the drop-in pooled `QdrantClient` against a singleton (stand-in on loopback, {f.Callers} callers, {f.CallLatency.TotalMilliseconds:F0} ms a call)");
        yield return "";
        yield return "| client | calls/s | p50 | p99 | server connections |";
        yield return "| --- | ---: | ---: | ---: | ---: |";
        foreach (var l in f.Load)
        {
            yield return string.Create(inv, $"| {l.Client} | {l.CallsPerSecond:N0} | {l.P50Ms:F1} ms | {l.P99Ms:F1} ms | {l.ServerConnections} |");
        }

        yield return "";
        yield return "| target (issue) | measured | verdict |";
        yield return "| --- | --- | --- |";
        double throughput = pooled.CallsPerSecond / single.CallsPerSecond, p99 = pooled.P99Ms / single.P99Ms;
        yield return string.Create(inv, $"| throughput ≥ 0.9× the singleton's | {throughput:F2}× | {Verdict(throughput >= 0.9)} |");
        yield return string.Create(inv, $"| p99 ≤ 1.2× the singleton's | {p99:F2}× | {Verdict(p99 <= 1.2)} |");
        var spread = f.CallsPerChannel;
        double ratio = spread.Count == 0 ? double.NaN : (double)spread.Max() / Math.Max(1, spread.Min());
        yield return string.Create(inv, $"| calls spread over 3 channels: busiest ≤ 1.5× least busy | {string.Join(" / ", spread.Select(c => c.ToString("N0", inv)))} calls: {ratio:F2}× | {Verdict(spread.Count == 3 && ratio <= 1.5)} |");
        var hole = f.BlackHole[1];
        var singleHole = f.BlackHole[0];
        yield return string.Create(inv,
            $"| one connection black-holed for {f.BlackHoleDuration.TotalSeconds:F0} s (deadline {f.CallDeadline.TotalSeconds:F0} s): ≥ 99% of calls succeed, the channel replaced | {hole.SuccessShare:P2} of {hole.Succeeded + hole.Failed:N0} calls, {hole.ChannelsReplaced} replaced{(hole.ReplacedAfterSeconds is { } s ? string.Create(inv, $" after {s:F1} s") : "")}; singleton {singleHole.SuccessShare:P2} of {singleHole.Succeeded + singleHole.Failed:N0} | {Verdict(hole.SuccessShare >= 0.99 && hole.ChannelsReplaced >= 1)} |");
        var errors = f.ServerErrors;
        yield return string.Create(inv,
            $"| Unavailable / Internal answered on 10% of calls for {f.ServerErrorDuration.TotalSeconds:F0} s: 0 evictions, 0 reconnects | {errors.Answered:N0} of {errors.Calls:N0} calls answered with an error; {errors.ChannelsEvicted} evicted, {errors.Reconnects} reconnects | {Verdict(errors.ChannelsEvicted == 0 && errors.Reconnects == 0)} |");
        var o = f.Outage;
        yield return string.Create(inv,
            $"| {o.Outage.TotalSeconds:F0} s outage: served again ≤ 1 s after Qdrant is back | pooled {Show(o.PooledSeconds, o.Wait)}; singleton {Show(o.SingletonSeconds, o.Wait)} | {Verdict(o.PooledSeconds is <= 1.0)} |");
        yield return "";
    }

    private static string Verdict(bool met) => met ? "met" : "**missed**";

    private static string Show(double? seconds, TimeSpan wait) =>
        seconds is { } s ? string.Create(CultureInfo.InvariantCulture, $"{s:F2} s") : string.Create(CultureInfo.InvariantCulture, $"not within {wait.TotalSeconds:F0} s");
}
