using System.Globalization;
using System.Text;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Loggers;
using Pool.Benchmarks.Measurements;

namespace Pool.Benchmarks.Report;

/// <summary>
/// Writes RESULTS.md: the run and the machine, the goals table, the tables of the measurements
/// BenchmarkDotNet cannot express as a mean (2c, 3, 4), and BenchmarkDotNet's own GitHub-Markdown
/// tables, as its exporter writes them. What the numbers mean is in benchmarks/README.md.
/// </summary>
internal static class ResultsWriter
{
    public static string Write(RunResults results)
    {
        var settings = results.Settings;
        var md = new StringBuilder();
        Line(md, "# Benchmark results");
        Line(md);
        Line(md, $"Written by `dotnet run -c Release --project benchmarks/Pool.Benchmarks{(settings.IsPublishable ? "" : " " + settings.Arguments)}`;");
        Line(md, "[README.md](README.md) says what each benchmark does and how to read the numbers. Every ratio compares pools measured in the same run.");
        Line(md);
        if (!settings.IsPublishable)
        {
            Line(md, "**A quick, dry or filtered run: not the published table.**");
            Line(md);
        }

        Line(md, "## Run");
        Line(md);
        Line(md, $"- Date: {results.Started.ToString("yyyy-MM-dd HH:mm zzz", CultureInfo.InvariantCulture)}, {(results.Finished - results.Started).TotalMinutes:F1} minutes.");
        Line(md, $"- Machine: {Machine.Describe()}.");
        Line(md, $"- Load average (1, 5, 15 min): {results.LoadBefore} before the run, {results.LoadAfter} after.");
        Line(md, $"- BenchmarkDotNet job: {settings.JobDescription}, `[MemoryDiagnoser]`; its exporters' reports (Markdown, CSV, JSON, HTML) are in `artifacts/benchmarks/bdn/results/`.");
        Line(md);
        Line(md, "## Goals");
        Line(md);
        Table(md, ["#", "benchmark", "goal", "measured (ours)", "verdict"], "-:||||",
            Goals.Judge(results).Select(g => new[] { $"{g.Number}", g.Benchmark, g.Target, g.Measured, g.Verdict }));
        Measured(md, results);
        foreach (var summary in results.Summaries)
        {
            Line(md, $"## {summary.BenchmarksCases.First().Descriptor.Type.Name} (BenchmarkDotNet)");
            Line(md);
            var logger = new AccumulationLogger();
            MarkdownExporter.GitHub.ExportToLog(summary, logger);
            Line(md, logger.GetLog().Trim().ReplaceLineEndings("\n"));
            Line(md);
        }

        return md.ToString();
    }

    private static void Measured(StringBuilder md, RunResults results)
    {
        if (results.Contention is { } probe)
        {
            Line(md, "## 2c. Contention probe (benchmark 2's workload in-process, the runtime's counters per cycle)");
            Line(md);
            Table(md, ["shape", "pool", "time per cycle", "CPU time per cycle", "contended locks per cycle", "gen-0 GCs per 1,000 cycles", "work items per cycle", "bytes per cycle"], "||-:|-:|-:|-:|-:|-:",
                probe.Select(c => new[] { c.Shape, c.Pool, Format.Ns(c.NsPerCycle), Format.Ns(c.CpuNsPerCycle), $"{c.LockContentionsPerCycle:F3}", $"{c.Gen0PerThousandCycles:F2}", $"{c.WorkItemsPerCycle:F2}", $"{c.BytesPerCycle:F0}" }));
        }

        if (results.Oversubscribed is { } waits)
        {
            Line(md, $"## 3. Oversubscribed ({OversubscribedMeasurement.Tasks:N0} tasks on {OversubscribedMeasurement.MaxSize} connections, "
                + $"{results.Settings.OversubscribedRounds} rounds of {results.Settings.OversubscribedCyclesPerTask} cycles per task)");
            Line(md);
            Table(md, ["pool", "samples", "p50", "p99", "p99.99", "max", "p99.99 / p50", "acquires/s"], "|-:|-:|-:|-:|-:|-:|-:",
                waits.Select(w => new[] { w.Pool, $"{w.Samples:N0}", Format.Ms(w.P50), Format.Ms(w.P99), Format.Ms(w.P9999), Format.Ms(w.Max), Format.Ratio(w.P9999 / w.P50), Format.Number(w.AcquiresPerSecond) }));
        }

        if (results.Spike is { } spike)
        {
            Line(md, $"## 4. Spike (a cold pool of {SpikeMeasurement.MaxSize}, {SpikeMeasurement.Acquirers} acquires at once, {results.Settings.SpikeRepetitions} repetitions)");
            Line(md);
            Table(md, ["pool", "created: min", "median", "max", "all served after (median)"], "|-:|-:|-:|-:",
                spike.Select(s => new[] { s.Pool, $"{s.Created.Min()}", $"{Percentiles.Median(s.Created.Select(c => (double)c)):0.#}", $"{s.Created.Max()}", Format.Ms(Percentiles.Median(s.AllServedMs)) }));
        }

        if (results.Qdrant is { } qdrant)
        {
            foreach (var line in Qdrant.QdrantSection.Lines(qdrant))
            {
                Line(md, line);
            }
        }
    }

    /// <summary>A Markdown table; <paramref name="align"/> has one entry per column between '|' ("-:" right-aligns it).</summary>
    private static void Table(StringBuilder md, string[] header, string align, IEnumerable<string[]> rows)
    {
        Line(md, $"| {string.Join(" | ", header)} |");
        Line(md, $"| {string.Join(" | ", align.Split('|').Select(a => a == "-:" ? "---:" : "---"))} |");
        foreach (var row in rows)
        {
            Line(md, $"| {string.Join(" | ", row)} |");
        }

        Line(md);
    }

    /// <summary>LF line ends whatever the OS, so the file does not change with the machine that wrote it.</summary>
    private static void Line(StringBuilder md, string text = "") => md.Append(text).Append('\n');
}
