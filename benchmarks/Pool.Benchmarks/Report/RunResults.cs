using BenchmarkDotNet.Reports;
using Pool.Benchmarks.Measurements;
using Pool.Benchmarks.Suites;

namespace Pool.Benchmarks.Report;

/// <summary>Everything one run measured, for <see cref="ResultsWriter"/>.</summary>
internal sealed class RunResults(RunSettings settings)
{
    public RunSettings Settings => settings;

    public DateTimeOffset Started { get; init; }

    public DateTimeOffset Finished { get; set; }

    public string LoadBefore { get; init; } = "n/a";

    public string LoadAfter { get; set; } = "n/a";

    public Summary? Uncontended { get; private set; }

    public Summary? Breakdown { get; private set; }

    public Summary? Contended { get; private set; }

    public Summary? HandOff { get; private set; }

    public Summary? Cancelled { get; private set; }

    public IReadOnlyList<ContentionCounts>? Contention { get; set; }

    public IReadOnlyList<WaitDistribution>? Oversubscribed { get; set; }

    public IReadOnlyList<SpikeOutcome>? Spike { get; set; }

    public IEnumerable<Summary> Summaries => new[] { Uncontended, Breakdown, Contended, HandOff, Cancelled }.OfType<Summary>();

    public void Add(Summary summary)
    {
        var type = summary.BenchmarksCases.FirstOrDefault()?.Descriptor.Type;
        if (type == typeof(UncontendedBenchmarks))
        {
            Uncontended = summary;
        }
        else if (type == typeof(BreakdownBenchmarks))
        {
            Breakdown = summary;
        }
        else if (type == typeof(ContendedBenchmarks))
        {
            Contended = summary;
        }
        else if (type == typeof(HandOffBenchmarks))
        {
            HandOff = summary;
        }
        else if (type == typeof(CancelledAcquireBenchmarks))
        {
            Cancelled = summary;
        }
    }
}
