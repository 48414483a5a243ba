using BenchmarkDotNet.Reports;
using Pool.Benchmarks.Measurements;

namespace Pool.Benchmarks.Report;

/// <summary>One benchmark's mean time and allocation per operation, as BenchmarkDotNet measured them.</summary>
internal readonly record struct BdnResult(double MeanNs, long? AllocatedBytes);

/// <summary>Everything one run measured, for <see cref="Goals"/> and <see cref="ResultsWriter"/>.</summary>
internal sealed class RunResults(RunSettings settings)
{
    public RunSettings Settings => settings;

    public DateTimeOffset Started { get; init; }

    public DateTimeOffset Finished { get; set; }

    public string LoadBefore { get; init; } = "n/a";

    public string LoadAfter { get; set; } = "n/a";

    public List<Summary> Summaries { get; } = [];

    public IReadOnlyList<ContentionCounts>? Contention { get; set; }

    public IReadOnlyList<WaitDistribution>? Oversubscribed { get; set; }

    public IReadOnlyList<SpikeOutcome>? Spike { get; set; }

    public Qdrant.QdrantFigures? Qdrant { get; set; }

    /// <summary>The result of <paramref name="method"/> in suite <typeparamref name="TSuite"/> whose parameters contain <paramref name="parameters"/>; null if it did not run.</summary>
    public BdnResult? Find<TSuite>(string method, string parameters = "")
    {
        var report = Summaries.SelectMany(s => s.Reports).FirstOrDefault(r =>
            r.BenchmarkCase.Descriptor.Type == typeof(TSuite)
            && r.BenchmarkCase.Descriptor.WorkloadMethod.Name == method
            && (r.BenchmarkCase.HasParameters ? r.BenchmarkCase.Parameters.PrintInfo : "").Contains(parameters, StringComparison.Ordinal));
        return report?.ResultStatistics is { } stats
            ? new BdnResult(stats.Mean, report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase))
            : null;
    }
}
