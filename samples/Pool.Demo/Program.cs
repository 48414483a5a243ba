using System.Globalization;
using Pool.Demo;
using Pool.Demo.Checks;
using Pool.Demo.CommandLine;
using Pool.Demo.Reporting;
using Pool.Demo.Views;
using Spectre.Console;

// Concurrent upserts and queries through a QdrantClientPool while the Qdrant stand-in restarts (or,
// with --chaos, while random faults hit it), shown live, then checked and reported. Exit code 0:
// every check held; 1: a check failed; 2: a bad command line. See DemoOptions.Usage.
var (options, error) = DemoOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("error: " + error);
    Console.Error.WriteLine("Run with --help to see every option, its default and its range.");
    return 2;
}

if (options.Help)
{
    Console.WriteLine(DemoOptions.Usage);
    return 0;
}

int seed = options.Seed ?? Random.Shared.Next();
var settings = RunSettings.From(options, seed);
var console = AnsiConsole.Console;
bool live = !options.Plain && LiveView.Fits(console);
string what = options.Chaos
    ? $"Chaos soak, seed {seed}: {options.Workers} workers, MaxSize {options.MaxSize}, {DurationText.Show(options.Duration)}"
    : $"Pool demo: {options.Workers} workers, MaxSize {options.MaxSize}, {DurationText.Show(options.Duration)}, "
      + (options.Qdrant is null ? $"the stand-in restarting every {DurationText.Show(options.RestartEvery)}" : "a real Qdrant");
IView view = live ? new LiveView(console, what) : new PlainView(Console.Out);
if (!live)
{
    view.Note(what); // the live table has it as its title
}

if (options.Chaos)
{
    view.Note(string.Create(CultureInfo.InvariantCulture,
        $"Replay this run's faults: dotnet run --project samples/Pool.Demo -- --chaos --seed {seed} --duration {options.Duration.TotalSeconds:0.###}s --workers {options.Workers} --max-size {options.MaxSize}"));
}

var result = await Session.RunAsync(settings, view);
Report.Print(result, live ? console : null, Console.Out);
foreach (var violation in result.Rig.Violations.First)
{
    Console.Error.WriteLine($"VIOLATION (seed {seed}): {violation}");
}

if (result.Rig.Violations.Count > Violations.Kept)
{
    Console.Error.WriteLine($"VIOLATION (seed {seed}): ... and {result.Rig.Violations.Count - Violations.Kept} more.");
}

return result.ExitCode;
