using System.Globalization;
using System.Text;

namespace Pool.Benchmarks.Report;

/// <summary>Writes RESULTS.md: machine, settings, the goals with MET/MISSED as measured, and every table.</summary>
internal static class ResultsWriter
{
    public static string Write(RunResults results)
    {
        var settings = results.Settings;
        var sections = new StringBuilder();
        var goals = new List<Goal>
        {
            UncontendedSection.Write(sections, results.Uncontended, results.Breakdown),
            ContendedSection.Write(sections, results, results.Contended),
            MeasuredSections.WriteOversubscribed(sections, results.Oversubscribed, settings),
            MeasuredSections.WriteSpike(sections, results.Spike, settings),
            CancelledSection.Write(sections, results.Cancelled),
        };

        var md = new StringBuilder();
        md.Line("# Benchmark results");
        md.Line();
        md.Line("Written by `dotnet run -c Release --project benchmarks/Pool.Benchmarks`" + (settings.IsPublishable ? "" : " " + Arguments(settings)) + ";");
        md.Line("see [README.md](README.md) for what each benchmark does. Every ratio compares pools measured in the same run.");
        md.Line();
        if (!settings.IsPublishable)
        {
            md.Line("**A quick or filtered run: not the published table.**");
            md.Line();
        }

        WriteMachine(md, results);
        md.Line("## Goals");
        md.Line();
        md.Line("| # | benchmark | goal | measured (ours) | verdict |");
        md.Line("| ---: | --- | --- | --- | --- |");
        foreach (var goal in goals)
        {
            md.Line($"| {goal.Number} | {goal.Benchmark} | {goal.Target} | {goal.Measured} | {goal.Verdict} |");
        }

        md.Line();
        WriteSettings(md);
        md.Append(sections);
        WriteBdnTables(md, results);
        return md.ToString();
    }

    private static string Arguments(RunSettings settings) =>
        "-- " + (settings.Quick ? "--quick " : "") + "--filter " + string.Join(",", settings.Suites.Order(StringComparer.Ordinal));

    private static void WriteMachine(StringBuilder md, RunResults results)
    {
        md.Line("## Machine and run");
        md.Line();
        md.Line($"- Date: {results.Started.ToString("yyyy-MM-dd HH:mm zzz", CultureInfo.InvariantCulture)}, "
            + $"{(results.Finished - results.Started).TotalMinutes:F1} minutes.");
        md.Line($"- Machine: {Machine.Describe()}.");
        md.Line($"- Load average (1, 5, 15 min): {results.LoadBefore} before the run, {results.LoadAfter} after. The machine has "
            + $"{Environment.ProcessorCount} cores, a virtual machine's, which");
        md.Line("  other builds and test runs may share (the load averages say how much), so absolute times are noisy. Ratios are steadier (the rows");
        md.Line("  of one table ran minutes apart under similar load), but a ratio near a goal's line can fall either side of it on");
        md.Line("  another run.");
        md.Line($"- BenchmarkDotNet job: {(results.Settings.Quick ? "ShortRun (3 warm-up and 3 measured iterations)" : "1 launch, 4 warm-up and 12 measured iterations")}, "
            + "`[MemoryDiagnoser]`, default toolchain (a separate Release process per benchmark).");
        var first = results.Summaries.FirstOrDefault();
        if (first is not null)
        {
            md.Line();
            md.Line("```");
            md.Line(Bdn.HostInfo(first).Trim());
            md.Line("```");
        }

        md.Line();
    }

    private static void WriteSettings(StringBuilder md)
    {
        md.Line("## The pools");
        md.Line();
        md.Line("All are driven through one adapter (`Adapters/IBenchPool`), so each benchmark runs the same workload on each;");
        md.Line("an acquire that completes at once passes through it without allocating.");
        md.Line();
        md.Line("- **Ours**: `ConnectionPool<T>` on `TimeProvider.System`. For benchmarks 1, 2, 3 and 5 (the acquire path):");
        md.Line("  `ValidateAfterIdle`, `IdleTimeout`, `MaxLifetime` and `MaintenanceInterval` infinite (no validation on borrow, no");
        md.Line("  lifecycle) and `AcquireTimeout` infinite, since no peer has a timeout. Extra rows show ours with every default");
        md.Line("  (benchmark 1) and with a 30 s `AcquireTimeout`, which arms a timer per wait (2 and 5). Benchmark 4 uses every");
        md.Line("  default but `MaxSize = 50`, and again with `MaxConcurrentCreates = 50`.");
        md.Line("- **DefaultObjectPool** (`Microsoft.Extensions.ObjectPool` 10.0.0): no bound, never waits; the floor for benchmark 1.");
        md.Line("- **SemaphoreSlim+Bag** (`Peers/SemaphoreBagPool.cs`): what most .NET code hand-rolls, written carefully: a");
        md.Line("  `SemaphoreSlim(MaxSize)` bounds leases, a `ConcurrentBag` holds idle connections, an acquirer that finds the bag");
        md.Line("  empty creates one and gives its slot back if that fails.");
        md.Line("- **Python port** (`Peers/PythonPortPool.cs`): the original Python pool's design kept with its weaknesses: lock +");
        md.Line("  `created` counter checked before and raised after each create (overshoot), a create per acquirer that sees room,");
        md.Line("  waiters on a condition notified one per return with no hand-off (barging, no FIFO).");
        md.Line();
        md.Line("Every pool is warmed one connection at a time to the size the benchmark needs, so none starts cold except in");
        md.Line("benchmark 4, and each benchmark checks afterwards that no pool created more connections than that.");
        md.Line();
    }

    private static void WriteBdnTables(StringBuilder md, RunResults results)
    {
        if (!results.Summaries.Any())
        {
            return;
        }

        md.Line("## BenchmarkDotNet's tables");
        md.Line();
        foreach (var summary in results.Summaries)
        {
            md.Line("<details>");
            md.Line($"<summary>{summary.BenchmarksCases.First().Descriptor.Type.Name}</summary>");
            md.Line();
            md.Line(Bdn.GitHubTable(summary));
            md.Line();
            md.Line("</details>");
            md.Line();
        }
    }
}
