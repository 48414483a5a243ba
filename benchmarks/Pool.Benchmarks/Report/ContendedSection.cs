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
        ("OursCoarseClock", "Ours on a coarse clock (`Environment.TickCount64` timestamps)"),
        ("NoPoolTwoYields", "no pool: two yields per cycle (the floor of a FIFO hand-off)"),
    ];

    public static readonly string[] Shapes = ["64 tasks on 16", "8 tasks on 4"];

    private static readonly string[] OursVariants = ["Ours", "OursWithTimeout", "OursCoarseClock"];

    public static Goal Write(StringBuilder md, RunResults results, Summary? contended)
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
            WriteProbe(md, results.Contention);
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
        var clockReads = results.Breakdown is null ? null : Bdn.Find(Bdn.Rows(results.Breakdown), "TwoClockReads");
        WriteWhy(md, rows, results.HandOff is null ? null : Bdn.Rows(results.HandOff), clockReads);
        WriteProbe(md, results.Contention);
        WriteInShort(md, rows, results.Contention);
        return goal;
    }

    private static readonly (string Method, string Label)[] HandOffRows =
    [
        ("SemaphoreSlimBag", "SemaphoreSlim+Bag (baseline)"),
        ("PythonPort", "Python port"),
        ("Ours", "**Ours**"),
        ("OursCoarseClock", "Ours on a coarse clock"),
        ("NoPoolOneHop", "no pool: one thread-pool hop (`await Task.Yield()`)"),
    ];

    private static void WriteWhy(StringBuilder md, List<BdnRow> rows, List<BdnRow>? handOff, BdnRow? twoClockReads)
    {
        md.Line("### What a wait costs");
        md.Line();
        var floors = Shapes
            .Select(shape => (Shape: shape, Floor: Bdn.Find(rows, "NoPoolTwoYields", shape), Baseline: Bdn.Find(rows, "SemaphoreSlimBag", shape)))
            .Where(x => x.Floor is not null && x.Baseline is not null)
            .Select(x => $"{Format.Ns(x.Floor!.MeanNs)} per cycle with {x.Shape} (against {Format.Ns(x.Baseline!.MeanNs)} for the SemaphoreSlim pool)")
            .ToList();
        if (floors.Count > 0)
        {
            md.Line($"Scheduling alone is not the bound: the same tasks yielding twice per cycle with no pool take {string.Join(", ", floors)}.");
            md.Line("The cycle time is each pool's own work per wait. `Suites/HandOffBenchmarks` measures that work without the");
            md.Line("scheduling noise: one connection, held; each operation starts an acquire (it must wait), returns the held");
            md.Line("connection (which serves that waiter) and awaits the acquire. One thread-pool hop per operation in every pool.");
            md.Line();
        }

        if (handOff is null)
        {
            return;
        }

        var baseline = Bdn.Find(handOff, "SemaphoreSlimBag");
        md.Line("| pool | per hand-off | ratio to SemaphoreSlim+Bag | allocated |");
        md.Line("| --- | ---: | ---: | ---: |");
        foreach (var (method, label) in HandOffRows)
        {
            var row = Bdn.Find(handOff, method);
            if (row is not null && baseline is not null)
            {
                md.Line($"| {label} | {Format.Ns(row.MeanNs)} | {Format.Ratio(row.MeanNs / baseline.MeanNs)} | {Format.Bytes(row.AllocatedBytes)} |");
            }
        }

        md.Line();
        var ours = Bdn.Find(handOff, "Ours");
        var coarse = Bdn.Find(handOff, "OursCoarseClock");
        var hop = Bdn.Find(handOff, "NoPoolOneHop");
        if (baseline is null || ours is null || coarse is null || hop is null)
        {
            return;
        }

        md.Line($"A hand-off costs ours {Format.Ns(ours.MeanNs)} and {Format.Bytes(ours.AllocatedBytes)}, the SemaphoreSlim pool {Format.Ns(baseline.MeanNs)} "
            + $"and {Format.Bytes(baseline.AllocatedBytes)}; the hop itself {Format.Ns(hop.MeanNs)}. Where ours spends the difference:");
        md.Line($"- the clock: a waited acquire reads it twice (its start, and at the return that served it; a handed-off connection");
        md.Line($"  was idle for no time, so it is not read again after the wait). On a coarse clock ours takes {Format.Ns(coarse.MeanNs)}"
            + (twoClockReads is null ? "." : $"; two reads of `TimeProvider.System` measured alone take {Format.Ns(twoClockReads.MeanNs)}."));
        md.Line($"- allocation: {Format.Bytes(ours.AllocatedBytes - baseline.AllocatedBytes)} more per wait. Ours allocates a waiter (a `TaskCompletionSource`");
        md.Line("  subclass and its task) and the state machine of `AcquireSlowAsync`, which holds the wait itself (an earlier");
        md.Line("  nested `WaitAsync` cost 176 B more); the SemaphoreSlim pool allocates one `TaskNode` and one state machine. Every pool here also");
        md.Line("  pays the adapter's small state machine for an acquire that waits.");
        md.Line("- the rest is the two lock sections and the bookkeeping a FIFO hand-off needs (queue, grant, lease id, Settle).");
        md.Line("One thread handing off to itself shows the work per wait; benchmark 2 adds two cores taking the same lock and");
        md.Line("allocating at once, which the probe below counts.");
        foreach (string shape in Shapes)
        {
            var python = Bdn.Find(rows, "PythonPort", shape);
            var semaphore = Bdn.Find(rows, "SemaphoreSlimBag", shape);
            if (python is not null && semaphore is not null && python.MeanNs < semaphore.MeanNs)
            {
                md.Line();
                md.Line($"The Python port is the fastest in benchmark 2 ({shape}: {Format.Ns(python.MeanNs)}) because it mostly skips the");
                md.Line("hand-off: a returned connection goes to the idle list, the task that returned it re-acquires it at once without");
                md.Line("waiting, and the waiter it woke finds nothing and queues again. That is the barging that gives it the wait tail");
                md.Line("of benchmark 3: its throughput is bought with starvation.");
                break;
            }
        }

        md.Line();
    }

    private static void WriteProbe(StringBuilder md, IReadOnlyList<Measurements.ContentionCounts>? probe)
    {
        if (probe is null)
        {
            return;
        }

        md.Line("### What contention adds");
        md.Line();
        md.Line("Benchmark 2's workload again, in this process (`Measurements/ContentionProbe`), with the runtime's counters read");
        md.Line("around it: contended monitor acquisitions (`Monitor.LockContentionCount`: our lock, and the monitors inside");
        md.Line("SemaphoreSlim and ConcurrentBag), gen-0 collections, thread-pool work items and bytes allocated, per cycle.");
        md.Line();
        md.Line("| shape | pool | time per cycle | CPU time per cycle | contended locks per cycle | gen-0 GCs per 1,000 cycles | work items per cycle | bytes per cycle |");
        md.Line("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var c in probe)
        {
            string label = c.Pool == "Ours" ? "**Ours**" : c.Pool;
            md.Line($"| {c.Shape} | {label} | {Format.Ns(c.NsPerCycle)} | {Format.Ns(c.CpuNsPerCycle)} | {c.LockContentionsPerCycle:F3} | {c.Gen0PerThousandCycles:F2} | "
                + $"{c.WorkItemsPerCycle:F2} | {c.BytesPerCycle:F0} |");
        }

        md.Line();
        foreach (string shape in Shapes)
        {
            var ours = probe.FirstOrDefault(c => c.Shape == shape && c.Pool == "Ours");
            var semaphore = probe.FirstOrDefault(c => c.Shape == shape && c.Pool == "SemaphoreSlim+Bag");
            if (ours is null || semaphore is null)
            {
                continue;
            }

            var coarse = probe.FirstOrDefault(c => c.Shape == shape && c.Pool == "Ours (coarse clock)");
            md.Line($"- {shape}: CPU time per cycle, ours {Format.Ns(ours.CpuNsPerCycle)}"
                + (coarse is null ? "" : $" ({Format.Ns(coarse.CpuNsPerCycle)} on a coarse clock)")
                + $", the SemaphoreSlim pool {Format.Ns(semaphore.CpuNsPerCycle)}; "
                + $"contended locks {ours.LockContentionsPerCycle:F3} against {semaphore.LockContentionsPerCycle:F3} per cycle, "
                + $"gen-0 collections {ours.Gen0PerThousandCycles:F2} against {semaphore.Gen0PerThousandCycles:F2} per 1,000 cycles, "
                + $"work items {ours.WorkItemsPerCycle:F2} against {semaphore.WorkItemsPerCycle:F2} per cycle.");
        }

        md.Line();
    }

    private static void WriteInShort(StringBuilder md, List<BdnRow> rows, IReadOnlyList<Measurements.ContentionCounts>? probe)
    {
        var coarse = Shapes
            .Select(shape => (Shape: shape, Baseline: Bdn.Find(rows, "SemaphoreSlimBag", shape), Coarse: Bdn.Find(rows, "OursCoarseClock", shape)))
            .Where(x => x.Baseline is not null && x.Coarse is not null)
            .Select(x => $"{x.Shape}: {Format.Ratio(x.Baseline!.MeanNs / x.Coarse!.MeanNs)}")
            .ToList();
        if (coarse.Count == 0)
        {
            return;
        }

        md.Line("**In short.** " + (probe is null ? "" : "Both FIFO pools run the same two thread-pool work items per cycle, neither blocks on a lock, and gen-0 collections are rare, so the gap is CPU time per cycle. ")
            + (ClockIsMostOfTheGap(rows) ? "Most of it is the clock" : "Part of it is the clock")
            + ": ours reads `TimeProvider.System` twice per waited cycle, and given a coarse clock "
            + $"it reaches {string.Join(", ", coarse)} the SemaphoreSlim pool's throughput (the coarse-clock rows above). "
            + "The rest is its allocation per wait (about 1.5× the SemaphoreSlim pool's bytes: a waiter and its task, and one async state machine) and the bookkeeping "
            + "under its lock. The goal asks for half as much again as a pool that also hands off in FIFO order and pays the same "
            + $"wake-up per cycle; the best of ours measured here reaches {Format.Ratio(BestOfOurs(rows))} of that pool's throughput.");
        md.Line();
    }

    /// <summary>True when, in every shape, the coarse clock recovers at least half of ours' gap to the SemaphoreSlim pool.</summary>
    private static bool ClockIsMostOfTheGap(List<BdnRow> rows) => Shapes.All(shape =>
    {
        var baseline = Bdn.Find(rows, "SemaphoreSlimBag", shape);
        var ours = Bdn.Find(rows, "Ours", shape);
        var coarse = Bdn.Find(rows, "OursCoarseClock", shape);
        return baseline is not null && ours is not null && coarse is not null
            && ours.MeanNs > baseline.MeanNs && ours.MeanNs - coarse.MeanNs >= 0.5 * (ours.MeanNs - baseline.MeanNs);
    });

    /// <summary>The best throughput ratio to the SemaphoreSlim pool that any variant of ours reached in any shape.</summary>
    private static double BestOfOurs(List<BdnRow> rows) => Shapes
        .SelectMany(shape => OursVariants.Select(method => (Bdn.Find(rows, "SemaphoreSlimBag", shape), Bdn.Find(rows, method, shape))))
        .Where(pair => pair.Item1 is not null && pair.Item2 is not null)
        .Select(pair => pair.Item1!.MeanNs / pair.Item2!.MeanNs)
        .DefaultIfEmpty(double.NaN)
        .Max();
}
