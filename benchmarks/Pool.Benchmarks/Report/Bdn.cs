using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Reports;

namespace Pool.Benchmarks.Report;

/// <summary>One benchmark's result as RESULTS.md uses it.</summary>
/// <param name="Method">The benchmark method.</param>
/// <param name="Parameters">Its parameters as BenchmarkDotNet prints them ("" when none).</param>
/// <param name="MeanNs">Mean time per operation, in nanoseconds (NaN if the benchmark failed).</param>
/// <param name="StdDevNs">Its standard deviation.</param>
/// <param name="AllocatedBytes">Bytes allocated per operation.</param>
internal sealed record BdnRow(string Method, string Parameters, double MeanNs, double StdDevNs, long? AllocatedBytes);

/// <summary>Reads BenchmarkDotNet summaries.</summary>
internal static class Bdn
{
    public static List<BdnRow> Rows(Summary summary) =>
    [
        .. summary.Reports.Select(r => new BdnRow(
            r.BenchmarkCase.Descriptor.WorkloadMethod.Name,
            r.BenchmarkCase.HasParameters ? r.BenchmarkCase.Parameters.PrintInfo : "",
            r.ResultStatistics?.Mean ?? double.NaN,
            r.ResultStatistics?.StandardDeviation ?? double.NaN,
            r.GcStats.GetBytesAllocatedPerOperation(r.BenchmarkCase))),
    ];

    public static BdnRow? Find(IEnumerable<BdnRow> rows, string method, string parameters = "") =>
        rows.FirstOrDefault(r => r.Method == method && r.Parameters.Contains(parameters, StringComparison.Ordinal));

    /// <summary>BenchmarkDotNet's own GitHub-markdown table (Mean, Error, StdDev, Ratio, Allocated…).</summary>
    public static string GitHubTable(Summary summary)
    {
        var logger = new AccumulationLogger();
        MarkdownExporter.GitHub.ExportToLog(summary, logger);
        return logger.GetLog().Trim();
    }

    /// <summary>BenchmarkDotNet's description of the host: its version, OS, CPU, SDK and runtime.</summary>
    public static string HostInfo(Summary summary) =>
        string.Join(Environment.NewLine, summary.HostEnvironmentInfo.ToFormattedString());
}
