using System.Globalization;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Csv;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using Pool.Benchmarks;
using Pool.Benchmarks.Measurements;
using Pool.Benchmarks.Report;
using Pool.Benchmarks.Suites;

// One command reproduces the published table:
//   dotnet run -c Release --project benchmarks/Pool.Benchmarks
// runs the BenchmarkDotNet suites (1, 2, 5, 6, and the breakdowns of 1 and 2), then the measurements
// BenchmarkDotNet cannot express as a mean (3: wait percentiles; 4: connections created), and
// writes benchmarks/RESULTS.md.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var settings = RunSettings.Parse(args, Console.Error);
if (settings is null)
{
    return 2;
}

string root = RepoRoot();
var results = new RunResults(settings) { Started = DateTimeOffset.Now, LoadBefore = Machine.LoadAverage() };

var suites = new List<Type>();
if (settings.Runs("uncontended"))
{
    suites.Add(typeof(UncontendedBenchmarks));
}

if (settings.Runs("breakdown"))
{
    suites.Add(typeof(BreakdownBenchmarks));
}

if (settings.Runs("contended"))
{
    suites.Add(typeof(ContendedBenchmarks));
}

if (settings.Runs("handoff"))
{
    suites.Add(typeof(HandOffBenchmarks));
}

if (settings.Runs("cancelled"))
{
    suites.Add(typeof(CancelledAcquireBenchmarks));
}

if (settings.Runs("leak"))
{
    suites.Add(typeof(LeakDetectionBenchmarks));
}

if (settings.Runs("shared"))
{
    suites.Add(typeof(SharedLeaseBenchmarks));
    suites.Add(typeof(SharedContendedBenchmarks));
}

if (suites.Count > 0)
{
    var job = settings.Dry ? Job.Dry.WithId("Dry")
        : settings.Quick ? Job.ShortRun.WithId("Quick")
        : Job.Default.WithLaunchCount(1).WithWarmupCount(4).WithIterationCount(12).WithId("Full");

    // BenchmarkDotNet's own exporters write every suite's report to artifacts/benchmarks/bdn/results/;
    // RESULTS.md repeats the GitHub-Markdown tables next to the goals.
    var config = ManualConfig.Create(DefaultConfig.Instance)
        .AddJob(job)
        .AddExporter(MarkdownExporter.GitHub, CsvExporter.Default, JsonExporter.Full)
        .WithArtifactsPath(Path.Combine(root, "artifacts", "benchmarks", "bdn"))
        .WithBuildTimeout(TimeSpan.FromMinutes(10)); // the generated project builds slowly on a busy 2-core machine (the 2-minute default fails there)
    results.Summaries.AddRange(BenchmarkRunner.Run([.. suites], config));
}

if (settings.Runs("probe"))
{
    Console.WriteLine("Benchmark 2: contention probe");
    results.Contention = await ContentionProbe.RunAsync(settings.ProbeRounds, Console.Out).ConfigureAwait(false);
}

if (settings.Runs("oversubscribed"))
{
    Console.WriteLine("Benchmark 3: oversubscribed");
    results.Oversubscribed = await OversubscribedMeasurement.RunAsync(
        settings.OversubscribedCyclesPerTask, settings.OversubscribedRounds, Console.Out).ConfigureAwait(false);
}

if (settings.Runs("spike"))
{
    Console.WriteLine("Benchmark 4: spike");
    results.Spike = await SpikeMeasurement.RunAsync(settings.SpikeRepetitions, Console.Out).ConfigureAwait(false);
}

results.Finished = DateTimeOffset.Now;
results.LoadAfter = Machine.LoadAverage();
string output = settings.OutputPath(root);
Directory.CreateDirectory(Path.GetDirectoryName(output)!);
string markdown = ResultsWriter.Write(results);
await File.WriteAllTextAsync(output, markdown).ConfigureAwait(false);
Console.WriteLine();
Console.WriteLine(markdown);
Console.WriteLine($"Results written to {output}");
return 0;

static string RepoRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "Pool.sln")))
        {
            return dir.FullName;
        }
    }

    return Directory.GetCurrentDirectory();
}
