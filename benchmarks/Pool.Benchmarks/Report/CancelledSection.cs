using System.Text;
using BenchmarkDotNet.Reports;

namespace Pool.Benchmarks.Report;

/// <summary>Benchmark 5.</summary>
internal static class CancelledSection
{
    private static readonly (string Method, string Label)[] Contenders =
    [
        ("SemaphoreSlimBag", "SemaphoreSlim+Bag (baseline)"),
        ("PythonPort", "Python port"),
        ("Ours", "**Ours**"),
        ("OursWithTimeout", "Ours (30 s AcquireTimeout)"),
    ];

    public static Goal Write(StringBuilder md, Summary? cancelled)
    {
        const string name = "Cancelled acquire";
        const string target = "no goal: the cost, measured";
        md.Line("## 5. Cancelled acquires");
        md.Line();
        md.Line("Each pool's only connection is leased for the whole run, so every acquire waits. One operation: create a");
        md.Line("`CancellationTokenSource`, start an acquire, cancel it, and catch the `OperationCanceledException` (its");
        md.Line("throw is part of what a caller pays). Baseline: the SemaphoreSlim + ConcurrentBag pool. `DefaultObjectPool`");
        md.Line("never waits, so it has no cancelled acquire to measure.");
        md.Line();
        if (cancelled is null)
        {
            md.Line("Not run.").Line();
            return new Goal(5, name, target, "not run", null);
        }

        var rows = Bdn.Rows(cancelled);
        var baseline = Bdn.Find(rows, "SemaphoreSlimBag");
        md.Line("| pool | mean | ratio to SemaphoreSlim+Bag | allocated |");
        md.Line("| --- | ---: | ---: | ---: |");
        foreach (var (method, label) in Contenders)
        {
            var row = Bdn.Find(rows, method);
            if (row is not null && baseline is not null)
            {
                md.Line($"| {label} | {Format.Ns(row.MeanNs)} | {Format.Ratio(row.MeanNs / baseline.MeanNs)} | {Format.Bytes(row.AllocatedBytes)} |");
            }
        }

        md.Line();
        var ours = Bdn.Find(rows, "Ours");
        string measured = ours is null || baseline is null ? "failed"
            : $"{Format.Ns(ours.MeanNs)}, {Format.Bytes(ours.AllocatedBytes)} ({Format.Ratio(ours.MeanNs / baseline.MeanNs)} the SemaphoreSlim pool's time)";
        return new Goal(5, name, target, measured, null);
    }
}
