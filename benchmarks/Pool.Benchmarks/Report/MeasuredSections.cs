using System.Text;
using Pool.Benchmarks.Measurements;

namespace Pool.Benchmarks.Report;

/// <summary>Benchmarks 3 and 4: the measurements BenchmarkDotNet cannot express as a mean.</summary>
internal static class MeasuredSections
{
    public const double TailTarget = 2.0;
    public const int SpikeTarget = 6;

    public static Goal WriteOversubscribed(StringBuilder md, IReadOnlyList<WaitDistribution>? waits, RunSettings settings)
    {
        const string name = "Oversubscribed acquire wait";
        const string target = "p99.99 ≤ 2× p50 (strict FIFO)";
        md.Line("## 3. Oversubscribed");
        md.Line();
        md.Line($"{OversubscribedMeasurement.Tasks:N0} tasks share {OversubscribedMeasurement.MaxSize} connections; each cycle acquires, holds "
            + $"{OversubscribedMeasurement.Hold.TotalMilliseconds:F0} ms (`Task.Delay`) and returns. Every acquire's wait is timed with Stopwatch");
        md.Line($"timestamps; {settings.OversubscribedCyclesPerTask} cycles per task per round, one warm-up round discarded, then "
            + $"{settings.OversubscribedRounds} rounds pooled, the pools taking turns round by round.");
        md.Line("With 20 tasks per connection, a strictly FIFO pool keeps every wait near 20 cycles of a connection (a 2 ms");
        md.Line("`Task.Delay` plus the hand-off; 50 ÷ acquires per second gives the cycle actually measured, a loaded machine's timer");
        md.Line("fires late). `DefaultObjectPool` is not in this table: it would hand out 1,000 objects and never wait.");
        md.Line();
        if (waits is null)
        {
            md.Line("Not run.").Line();
            return new Goal(3, name, target, "not run", null);
        }

        md.Line("| pool | samples | p50 | p99 | p99.99 | max | p99.99 / p50 | acquires/s |");
        md.Line("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var w in waits)
        {
            string label = w.Pool == "Ours" ? "**Ours**" : w.Pool;
            md.Line($"| {label} | {w.Samples:N0} | {Format.Ms(w.P50)} | {Format.Ms(w.P99)} | {Format.Ms(w.P9999)} | {Format.Ms(w.Max)} | "
                + $"{Format.Ratio(w.P9999 / w.P50)} | {Format.Number(w.AcquiresPerSecond)} |");
        }

        md.Line();
        var ours = waits.FirstOrDefault(w => w.Pool == "Ours");
        if (ours is null)
        {
            return new Goal(3, name, target, "failed", null);
        }

        foreach (var barging in waits.Where(w => w.P9999 > 10 * w.P50))
        {
            md.Line($"{barging.Pool}: a p50 of {Format.Ms(barging.P50)} with a p99.99 of {Format.Ms(barging.P9999)} is barging: a task that");
            md.Line("returns its connection takes it straight back, so a few tasks cycle without waiting while the rest wait for them to");
            md.Line("finish their share of the round.");
            md.Line();
        }

        double tail = ours.P9999 / ours.P50;
        var goal = new Goal(3, name, target, $"p50 {Format.Ms(ours.P50)}, p99.99 {Format.Ms(ours.P9999)}: {Format.Ratio(tail)}", tail <= TailTarget);
        md.Line($"**Goal: {goal.Target}. Measured: {goal.Measured}. {goal.Verdict}.**");
        md.Line();
        return goal;
    }

    public static Goal WriteSpike(StringBuilder md, IReadOnlyList<SpikeOutcome>? spike, RunSettings settings)
    {
        const string name = "Spike: connections created";
        const string target = "≤ 6 in every repetition (HikariCP 5–6; DBCP2 45, Tomcat 40)";
        md.Line("## 4. Spike (HikariCP's test)");
        md.Line();
        md.Line($"A cold pool (MaxSize {SpikeMeasurement.MaxSize}, MinSize 0), {SpikeMeasurement.Acquirers} acquires released at the same instant, "
            + $"a create that takes {SpikeMeasurement.CreateTime.TotalMilliseconds:F0} ms,");
        md.Line($"a use of {SpikeMeasurement.Use.TotalMilliseconds:F0} ms. Creates started are counted 100 ms after the last acquirer finished; "
            + $"{settings.SpikeRepetitions} repetitions, a fresh pool each. Ours runs");
        md.Line("with every default except MaxSize, and again with MaxConcurrentCreates = 50 (no bound on concurrent creates).");
        md.Line("`DefaultObjectPool` is not in this table: it creates synchronously on every miss and has no MaxSize to hold.");
        md.Line();
        if (spike is null)
        {
            md.Line("Not run.").Line();
            return new Goal(4, name, target, "not run", null);
        }

        md.Line("| pool | created: min | median | max | all 50 served after (median) |");
        md.Line("| --- | ---: | ---: | ---: | ---: |");
        foreach (var s in spike)
        {
            string label = s.Pool.StartsWith("Ours (defaults", StringComparison.Ordinal) ? $"**{s.Pool}**" : s.Pool;
            md.Line($"| {label} | {s.Created.Min()} | {Percentiles.Median(s.Created.Select(c => (double)c)):0.#} | {s.Created.Max()} | "
                + $"{Format.Ms(Percentiles.Median(s.AllServedMs))} |");
        }

        md.Line();
        var ours = spike[0];
        var goal = new Goal(4, name, target,
            $"min {ours.Created.Min()}, median {Percentiles.Median(ours.Created.Select(c => (double)c)):0.#}, max {ours.Created.Max()}",
            ours.Created.Max() <= SpikeTarget);
        md.Line($"**Goal: {goal.Target}. Measured (defaults): {goal.Measured}. {goal.Verdict}.**");
        md.Line();
        md.Line("Ours bounds creates in flight (MaxConcurrentCreates, default 2) and gives every new or returned connection");
        md.Line("to the oldest waiter, so the first two connections, each used 2 ms, serve the queue while further creates are");
        md.Line("still dialling; the pools that dial once per acquirer open one connection per acquirer. The price is the");
        md.Line("time to serve all 50, which the last column shows.");
        md.Line();
        return goal;
    }
}
