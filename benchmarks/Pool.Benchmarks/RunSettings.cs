namespace Pool.Benchmarks;

/// <summary>What one run does, from the command line.</summary>
internal sealed class RunSettings
{
    public static readonly string[] AllSuites = ["uncontended", "breakdown", "contended", "handoff", "probe", "oversubscribed", "spike", "cancelled", "leak", "shared"];

    private RunSettings(bool quick, bool dry, IReadOnlySet<string> suites, string? output)
    {
        Quick = quick || dry;
        Dry = dry;
        Suites = suites;
        Output = output;
    }

    /// <summary>BenchmarkDotNet's ShortRun and fewer rounds: a check in a few minutes, not a result to publish.</summary>
    public bool Quick { get; }

    /// <summary>BenchmarkDotNet's Dry job (one invocation each) and the quick rounds: checks the program and the writer; the numbers mean nothing.</summary>
    public bool Dry { get; }

    public IReadOnlySet<string> Suites { get; }

    /// <summary>The job RESULTS.md names.</summary>
    public string JobDescription =>
        Dry ? "Dry (one invocation each)" : Quick ? "ShortRun (3 warm-up and 3 measured iterations)" : "1 launch, 4 warm-up and 12 measured iterations";

    /// <summary>The arguments of a run that is not the published one, as RESULTS.md repeats them.</summary>
    public string Arguments =>
        "--" + (Dry ? " --dry" : Quick ? " --quick" : "")
        + (Suites.Count == AllSuites.Length ? "" : " --filter " + string.Join(",", Suites.Order(StringComparer.Ordinal)));

    /// <summary>Where to write the results; null for the default (see <see cref="OutputPath"/>).</summary>
    public string? Output { get; }

    /// <summary>Only a full run of every suite is the published table.</summary>
    public bool IsPublishable => !Quick && Suites.Count == AllSuites.Length;

    public int OversubscribedCyclesPerTask => Quick ? 8 : 30;

    public int OversubscribedRounds => Quick ? 2 : 6;

    public int SpikeRepetitions => Quick ? 5 : 20;

    public int ProbeRounds => Quick ? 1 : 4;

    public const string Usage =
        "usage: dotnet run -c Release --project benchmarks/Pool.Benchmarks -- [--quick | --dry] [--filter uncontended,breakdown,contended,handoff,probe,oversubscribed,spike,cancelled,leak,shared] [--out FILE]";

    public bool Runs(string suite) => Suites.Contains(suite);

    /// <summary>benchmarks/RESULTS.md for a full run of everything; anything less goes under artifacts/ so it never overwrites the published table.</summary>
    public string OutputPath(string repoRoot) =>
        Output is not null ? Path.GetFullPath(Output)
        : IsPublishable ? Path.Combine(repoRoot, "benchmarks", "RESULTS.md")
        : Path.Combine(repoRoot, "artifacts", "benchmarks", "RESULTS.partial.md");

    /// <summary>Parses the arguments; null (after printing why) when they are wrong.</summary>
    public static RunSettings? Parse(string[] args, TextWriter error)
    {
        bool quick = false;
        bool dry = false;
        string? output = null;
        var suites = new HashSet<string>(AllSuites, StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    quick = true;
                    break;
                case "--dry":
                    dry = true;
                    break;
                case "--filter" when i + 1 < args.Length:
                    var wanted = args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    var unknown = wanted.Where(w => !AllSuites.Contains(w, StringComparer.OrdinalIgnoreCase)).ToList();
                    if (unknown.Count > 0 || wanted.Length == 0)
                    {
                        error.WriteLine($"--filter: unknown suite(s) {string.Join(", ", unknown)}; known: {string.Join(", ", AllSuites)}.");
                        return null;
                    }

                    suites = new HashSet<string>(wanted.Select(w => w.ToLowerInvariant()), StringComparer.OrdinalIgnoreCase);
                    break;
                case "--out" when i + 1 < args.Length:
                    output = args[++i];
                    break;
                default:
                    error.WriteLine($"Unknown or incomplete argument '{args[i]}'.");
                    error.WriteLine(Usage);
                    return null;
            }
        }

        return new RunSettings(quick, dry, suites, output);
    }
}
