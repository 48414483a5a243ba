using System.Text;
using BenchmarkDotNet.Reports;

namespace Pool.Benchmarks.Report;

/// <summary>Benchmark 2.</summary>
internal static class ContendedSection
{
    public const double Target = 1.5;

    private static readonly (string Method, string Label)[] Contenders =
    [
        ("SemaphoreSlimBag", "SemaphoreSlim+Bag (baseline)"),
        ("PythonPort", "Python port"),
        ("Ours", "**Ours**"),
        ("OursWithTimeout", "Ours (30 s AcquireTimeout)"),
        ("NoPoolTwoYields", "no pool: two yields per cycle (the floor of a FIFO hand-off)"),
    ];

    public static readonly string[] Shapes = ["64 tasks on 16", "8 tasks on 4"];

    public static Goal Write(StringBuilder md, Summary? contended)
    {
        const string name = "Contended throughput";
        const string target = "≥ 1.5× the SemaphoreSlim pool's throughput, both shapes";
        md.Line("## 2. Contended");
        md.Line();
        md.Line("Each task loops: acquire, `await Task.Yield()` while holding, return. One operation is one such cycle");
        md.Line("(6,400 per invocation in both shapes); throughput is cycles per second. Baseline: the SemaphoreSlim +");
        md.Line("ConcurrentBag pool. `DefaultObjectPool` is not in this table: it has no capacity, so 64 tasks would simply");
        md.Line("get 64 objects and never wait; there is no contended path to compare.");
        md.Line();
        if (contended is null)
        {
            md.Line("Not run.").Line();
            return new Goal(2, name, target, "not run", null);
        }

        var rows = Bdn.Rows(contended);
        var measured = new List<string>();
        bool? met = true;
        md.Line("| shape | pool | time per cycle | cycles/s | throughput vs SemaphoreSlim+Bag | allocated per cycle |");
        md.Line("| --- | --- | ---: | ---: | ---: | ---: |");
        foreach (string shape in Shapes)
        {
            var baseline = Bdn.Find(rows, "SemaphoreSlimBag", shape);
            foreach (var (method, label) in Contenders)
            {
                var row = Bdn.Find(rows, method, shape);
                if (row is null || baseline is null)
                {
                    continue;
                }

                md.Line($"| {shape} | {label} | {Format.Ns(row.MeanNs)} | {Format.Number(1e9 / row.MeanNs)} | "
                    + $"{Format.Ratio(baseline.MeanNs / row.MeanNs)} | {Format.Bytes(row.AllocatedBytes)} |");
            }

            var ours = Bdn.Find(rows, "Ours", shape);
            if (ours is null || baseline is null)
            {
                met = null;
                continue;
            }

            double speedup = baseline.MeanNs / ours.MeanNs;
            measured.Add($"{shape}: {Format.Ratio(speedup)}");
            if (speedup < Target && met is not null)
            {
                met = false;
            }
        }

        md.Line();
        var goal = new Goal(2, name, target, measured.Count > 0 ? string.Join("; ", measured) : "failed", measured.Count == Shapes.Length ? met : null);
        md.Line($"**Goal: {goal.Target}. Measured: {goal.Measured}. {goal.Verdict}.**");
        md.Line();
        WriteWhy(md, rows);
        return goal;
    }

    private static void WriteWhy(StringBuilder md, List<BdnRow> rows)
    {
        md.Line("### What bounds it");
        md.Line();
        foreach (string shape in Shapes)
        {
            var baseline = Bdn.Find(rows, "SemaphoreSlimBag", shape);
            var ours = Bdn.Find(rows, "Ours", shape);
            var floor = Bdn.Find(rows, "NoPoolTwoYields", shape);
            if (baseline is null || ours is null || floor is null)
            {
                continue;
            }

            double needed = baseline.MeanNs / Target;
            md.Line($"- {shape}: 1.5× the SemaphoreSlim pool's throughput means {Format.Ns(needed)} per cycle; two bare yields per cycle, "
                + $"with no pool at all, take {Format.Ns(floor.MeanNs)}"
                + (needed < floor.MeanNs ? " (the goal lies below that floor)." : ".")
                + $" Ours takes {Format.Ns(ours.MeanNs)}, {Format.Ns(ours.MeanNs - floor.MeanNs)} above the floor; the SemaphoreSlim pool "
                + $"{Format.Ns(baseline.MeanNs - floor.MeanNs)} above it.");
        }

        md.Line();
        md.Line("Every return in a FIFO pool hands the connection to the oldest waiter, whose continuation then runs on the thread");
        md.Line("pool: one hop per cycle on top of the hold's own yield. Ours and the SemaphoreSlim pool both pay it (SemaphoreSlim's");
        md.Line("async waiters are FIFO too), so neither can go below the two-yield floor; the lines above set the goal against it.");
        md.Line("What ours adds per wait is its allocation (a waiter, which is a `TaskCompletionSource`, and two async state");
        md.Line("machines, `AcquireSlowAsync` and `WaitAsync`; see the allocated column) and its two lock sections.");
        foreach (string shape in Shapes)
        {
            var python = Bdn.Find(rows, "PythonPort", shape);
            var floor = Bdn.Find(rows, "NoPoolTwoYields", shape);
            if (python is not null && floor is not null && python.MeanNs < floor.MeanNs)
            {
                md.Line($"The Python port goes below the floor ({shape}: {Format.Ns(python.MeanNs)}) because it skips the hand-off: a returned");
                md.Line("connection goes to the idle list, the task that returned it re-acquires it at once, and the waiter it woke finds");
                md.Line("nothing and queues again. That is the barging that gives it the wait tail of benchmark 3: its throughput is");
                md.Line("bought with starvation.");
                break;
            }
        }

        md.Line();
    }
}
