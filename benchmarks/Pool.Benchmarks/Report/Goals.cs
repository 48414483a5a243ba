using Pool.Benchmarks.Measurements;
using Pool.Benchmarks.Suites;

namespace Pool.Benchmarks.Report;

/// <summary>Judges the goals of the benchmarks (the benchmarks' issue's, leak detection's, shared leases' and the performance issue's) against one run's results.</summary>
internal static class Goals
{
    private const double SpeedTarget = 1.5;
    private const double TailTarget = 2.0;
    private const int SpikeTarget = 6;
    private const double LeakDetectionTarget = 2.0;
    private const double SharedLeaseTarget = 1.5;
    private const double DefaultsTarget = 2.0;
    private const double HandOffTimeTarget = 1.0;
    private const long HandOffBytesTarget = 200;
    private static readonly string[] Shapes = ["64 tasks on 16", "8 tasks on 4"];

    public static IReadOnlyList<Goal> Judge(RunResults results) =>
        [Uncontended(results), UncontendedDefaults(results), Contended(results), HandOff(results), Oversubscribed(results), Spike(results), Cancelled(results), LeakDetection(results), SharedLease(results), SharedContended(results)];

    private static Goal Uncontended(RunResults results)
    {
        var goal = new Goal(1, "Uncontended acquire + return", "0 B allocated and ≤ 1.5× DefaultObjectPool", "not run", null);
        if (results.Find<UncontendedBenchmarks>("Ours") is not { } ours || results.Find<UncontendedBenchmarks>("ObjectPool") is not { } floor)
        {
            return goal;
        }

        double ratio = ours.MeanNs / floor.MeanNs;
        string measured = $"{Format.Bytes(ours.AllocatedBytes)}; {Format.Ratio(ratio)} through the adapter ({Format.Ns(ours.MeanNs)} vs {Format.Ns(floor.MeanNs)})";
        bool met = ours.AllocatedBytes == 0 && ratio <= SpeedTarget;

        // Judged through the adapter, as designed; called directly must not tell a different story.
        if (results.Find<BreakdownBenchmarks>("OursDirect") is { } direct && results.Find<BreakdownBenchmarks>("ObjectPoolDirect") is { } floorDirect)
        {
            double directRatio = direct.MeanNs / floorDirect.MeanNs;
            measured += $", {Format.Ratio(directRatio)} called directly ({Format.Ns(direct.MeanNs)} vs {Format.Ns(floorDirect.MeanNs)})";
            met &= directRatio <= SpeedTarget;
        }

        return goal with { Measured = measured, Met = met };
    }

    private static Goal UncontendedDefaults(RunResults results)
    {
        var goal = new Goal(9, "Uncontended acquire + return, every default option (validation, idle timeout, lifetime, maintenance, timeout)", "0 B allocated and ≤ 2× DefaultObjectPool", "not run", null);
        if (results.Find<UncontendedBenchmarks>("OursDefaultOptions") is not { } ours || results.Find<UncontendedBenchmarks>("ObjectPool") is not { } floor)
        {
            return goal;
        }

        double ratio = ours.MeanNs / floor.MeanNs;
        return goal with
        {
            Measured = $"{Format.Bytes(ours.AllocatedBytes)}; {Format.Ratio(ratio)} through the adapter ({Format.Ns(ours.MeanNs)} vs {Format.Ns(floor.MeanNs)})",
            Met = ours.AllocatedBytes == 0 && ratio <= DefaultsTarget,
        };
    }

    private static Goal Contended(RunResults results)
    {
        var goal = new Goal(2, "Contended throughput", "≥ 1.5× the SemaphoreSlim pool's throughput and ≥ the Python port's, both shapes", "not run", null);
        var speedups = Shapes
            .Select(shape => (
                Shape: shape,
                Ours: results.Find<ContendedBenchmarks>("Ours", shape),
                Baseline: results.Find<ContendedBenchmarks>("SemaphoreSlimBag", shape),
                Python: results.Find<ContendedBenchmarks>("PythonPort", shape)))
            .Where(x => x.Ours is not null && x.Baseline is not null && x.Python is not null)
            .Select(x => (x.Shape, Speedup: x.Baseline!.Value.MeanNs / x.Ours!.Value.MeanNs, OverPython: x.Python!.Value.MeanNs / x.Ours!.Value.MeanNs))
            .ToList();
        return speedups.Count == 0 ? goal : goal with
        {
            Measured = string.Join("; ", speedups.Select(x => $"{x.Shape}: {Format.Ratio(x.Speedup)} the SemaphoreSlim pool, {Format.Ratio(x.OverPython)} the Python port")),
            Met = speedups.Count == Shapes.Length ? speedups.All(x => x.Speedup >= SpeedTarget && x.OverPython >= 1.0) : null,
        };
    }

    private static Goal HandOff(RunResults results)
    {
        var goal = new Goal(10, "One hand-off (a waiter served by a return), each pool called directly", "≤ 1.0× the SemaphoreSlim pool's time and ≤ 200 B per wait", "not run", null);
        if (results.Find<HandOffBenchmarks>("Ours") is not { } ours || results.Find<HandOffBenchmarks>("SemaphoreSlimBag") is not { } baseline)
        {
            return goal;
        }

        double ratio = ours.MeanNs / baseline.MeanNs;
        return goal with
        {
            Measured = $"{Format.Ratio(ratio)} ({Format.Ns(ours.MeanNs)} vs {Format.Ns(baseline.MeanNs)}), {Format.Bytes(ours.AllocatedBytes)} vs {Format.Bytes(baseline.AllocatedBytes)} per wait",
            Met = ratio <= HandOffTimeTarget && ours.AllocatedBytes <= HandOffBytesTarget,
        };
    }

    private static Goal Oversubscribed(RunResults results)
    {
        var goal = new Goal(3, "Oversubscribed acquire wait", "p99.99 ≤ 2× p50 (strict FIFO)", "not run", null);
        if (results.Oversubscribed?.FirstOrDefault(w => w.Pool == "Ours") is not { } ours)
        {
            return goal;
        }

        double tail = ours.P9999 / ours.P50;
        return goal with { Measured = $"p50 {Format.Ms(ours.P50)}, p99.99 {Format.Ms(ours.P9999)}: {Format.Ratio(tail)}", Met = tail <= TailTarget };
    }

    private static Goal Spike(RunResults results)
    {
        var goal = new Goal(4, "Spike: connections created", "≤ 6 in every repetition (HikariCP 5–6; DBCP2 45, Tomcat 40)", "not run", null);
        if (results.Spike is not [var ours, ..])
        {
            return goal;
        }

        string median = $"{Percentiles.Median(ours.Created.Select(c => (double)c)):0.#}";
        return goal with { Measured = $"min {ours.Created.Min()}, median {median}, max {ours.Created.Max()}", Met = ours.Created.Max() <= SpikeTarget };
    }

    private static Goal Cancelled(RunResults results)
    {
        var goal = new Goal(5, "Cancelled acquire", "no goal: the cost, measured", "not run", null);
        if (results.Find<CancelledAcquireBenchmarks>("Ours") is not { } ours || results.Find<CancelledAcquireBenchmarks>("SemaphoreSlimBag") is not { } baseline)
        {
            return goal;
        }

        return goal with { Measured = $"{Format.Ns(ours.MeanNs)}, {Format.Bytes(ours.AllocatedBytes)} ({Format.Ratio(ours.MeanNs / baseline.MeanNs)} the SemaphoreSlim pool's time)" };
    }

    private static Goal LeakDetection(RunResults results)
    {
        var goal = new Goal(6, "Leak detection on", "acquire + return ≤ 2× leak detection off", "not run", null);
        if (results.Find<LeakDetectionBenchmarks>("AcquireLeakDetectionOn") is not { } on || results.Find<LeakDetectionBenchmarks>("AcquireLeakDetectionOff") is not { } off)
        {
            return goal;
        }

        double ratio = on.MeanNs / off.MeanNs;
        return goal with { Measured = $"{Format.Ratio(ratio)} ({Format.Ns(on.MeanNs)} vs {Format.Ns(off.MeanNs)}, {Format.Bytes(on.AllocatedBytes)} per acquire on average)", Met = ratio <= LeakDetectionTarget };
    }

    private static Goal SharedLease(RunResults results)
    {
        var goal = new Goal(7, "Shared lease take + return (K = 100, 8 connections)", "0 B and ≤ 1.5× the exclusive idle hit", "not run", null);
        if (results.Find<SharedLeaseBenchmarks>("OursShared") is not { } shared || results.Find<SharedLeaseBenchmarks>("OursExclusiveIdleHit") is not { } exclusive)
        {
            return goal;
        }

        double ratio = shared.MeanNs / exclusive.MeanNs;
        string measured = $"{Format.Bytes(shared.AllocatedBytes)}; {Format.Ratio(ratio)} ({Format.Ns(shared.MeanNs)} vs {Format.Ns(exclusive.MeanNs)})";
        if (results.Find<SharedLeaseBenchmarks>("ObjectPool") is { } floor)
        {
            measured += $", {Format.Ratio(shared.MeanNs / floor.MeanNs)} DefaultObjectPool";
        }

        return goal with { Measured = measured, Met = shared.AllocatedBytes == 0 && ratio <= SharedLeaseTarget };
    }

    private static Goal SharedContended(RunResults results)
    {
        var goal = new Goal(8, "Shared, 64 tasks on 4 connections (K = 16)", "no goal: throughput against a SemaphoreSlim bound shared round-robin", "not run", null);
        if (results.Find<SharedContendedBenchmarks>("OursShared") is not { } shared || results.Find<SharedContendedBenchmarks>("SemaphoreSlimShared") is not { } baseline)
        {
            return goal;
        }

        string measured = $"{Format.Ratio(baseline.MeanNs / shared.MeanNs)} the SemaphoreSlim bound's throughput ({Format.Ns(shared.MeanNs)} vs {Format.Ns(baseline.MeanNs)} per cycle)";
        if (results.Find<SharedContendedBenchmarks>("OursExclusive") is { } exclusive)
        {
            measured += $", {Format.Ratio(exclusive.MeanNs / shared.MeanNs)} ours exclusive on the same 4";
        }

        return goal with { Measured = measured };
    }
}
