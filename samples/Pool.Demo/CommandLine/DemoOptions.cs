using System.Globalization;

namespace Pool.Demo.CommandLine;

/// <summary>The demo's command line: every flag, its default and its allowed range.</summary>
internal sealed record DemoOptions
{
    public static readonly TimeSpan MinDuration = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxDuration = TimeSpan.FromHours(24);
    public static readonly TimeSpan MinRestartEvery = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxRestartEvery = TimeSpan.FromHours(1);

    public const string Usage = """
        Usage: dotnet run --project samples/Pool.Demo [-- options]

        Runs concurrent upserts and queries through a QdrantClientPool against an in-process Qdrant
        stand-in that restarts on a schedule, shows the pool live (a table in a terminal, one line a
        second when the output is redirected or in CI), prints a final report, and exits 1 if a
        check failed (a pool invariant, a leak, a lease held twice, a call that never completed).

          --duration <time>       how long the load runs: 30, 30s, 1.5m, 10m, 1h (default 10s; 1s to 24h)
          --workers <n>           concurrent callers (default 64; 1 to 10000)
          --max-size <n>          the pool's MaxSize (default 8; 1 to 1000)
          --restart-every <time>  the stand-in crashes and comes back this often, down for
                                  min(1.5 s, 30 % of it) each time (default 4s; 1s to 1h)
          --qdrant <url>          a real Qdrant gRPC endpoint (e.g. http://localhost:6334) instead of
                                  the stand-in; nothing is restarted then (QDRANT_API_KEY is sent if set)
          --chaos                 the chaos soak: random restarts, connection cuts, latency, Unavailable
                                  answers, hangs, client cancellations, short acquire timeouts,
                                  invalidations and Clear(), with the checks running all along
                                  (not with --qdrant or --restart-every)
          --seed <n>              the chaos seed, to replay a run (default: a new one, printed;
                                  0 to 2147483647; only with --chaos)
          --plain                 plain progress lines even in a terminal (default: a live table when
                                  the output is an interactive terminal)
          --help                  this text

        Exit codes: 0 every check held, 1 a check failed, 2 a bad command line.
        """;

    // The run's defaults live in RunSettings; the flags start from them.
    private static readonly RunSettings Defaults = new();

    public TimeSpan Duration { get; init; } = Defaults.Duration;

    public int Workers { get; init; } = Defaults.Workers;

    public int MaxSize { get; init; } = Defaults.MaxSize;

    public TimeSpan RestartEvery { get; init; } = Defaults.RestartEvery;

    public Uri? Qdrant { get; init; }

    public bool Chaos { get; init; }

    public int? Seed { get; init; }

    public bool Plain { get; init; }

    public bool Help { get; init; }

    /// <summary>Parses the arguments, or returns the first problem, naming the flag and its allowed range.</summary>
    public static (DemoOptions? Options, string? Error) Parse(string[] args)
    {
        var options = new DemoOptions();
        bool restartEverySet = false;
        for (int i = 0; i < args.Length; i++)
        {
            string flag = args[i];
            switch (flag)
            {
                case "--help" or "-h":
                    return (options with { Help = true }, null);
                case "--chaos":
                    options = options with { Chaos = true };
                    continue;
                case "--plain":
                    options = options with { Plain = true };
                    continue;
                case "--duration" or "--workers" or "--max-size" or "--restart-every" or "--qdrant" or "--seed":
                    break;
                default:
                    return (null, $"Unknown option {flag}; run with --help to see every option.");
            }

            if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                return (null, $"{flag} needs a value: {Range(flag)}.");
            }

            string value = args[++i];
            DemoOptions? next = flag switch
            {
                "--duration" when DurationText.TryParse(value, out var d) && d >= MinDuration && d <= MaxDuration => options with { Duration = d },
                "--restart-every" when DurationText.TryParse(value, out var d) && d >= MinRestartEvery && d <= MaxRestartEvery => options with { RestartEvery = d },
                "--workers" when int.TryParse(value, CultureInfo.InvariantCulture, out int n) && n is >= 1 and <= 10_000 => options with { Workers = n },
                "--max-size" when int.TryParse(value, CultureInfo.InvariantCulture, out int n) && n is >= 1 and <= 1_000 => options with { MaxSize = n },
                "--seed" when int.TryParse(value, CultureInfo.InvariantCulture, out int n) && n >= 0 => options with { Seed = n },
                "--qdrant" when IsQdrantUrl(value, out var url) => options with { Qdrant = url },
                _ => null,
            };
            if (next is null)
            {
                return (null, $"{flag} {value} is not allowed: {Range(flag)}.");
            }

            options = next;
            restartEverySet |= flag == "--restart-every";
        }

        string? conflict = (options.Chaos, options.Qdrant is not null, restartEverySet, options.Seed is not null) switch
        {
            (true, true, _, _) => "--chaos needs the in-process stand-in (it restarts and breaks it); drop --qdrant.",
            (true, _, true, _) => "--restart-every is the plain demo's schedule; --chaos restarts at random (drop --restart-every).",
            (false, true, true, _) => "--restart-every needs the in-process stand-in; a real Qdrant (--qdrant) is not restarted.",
            (false, _, _, true) => "--seed only applies with --chaos.",
            _ => null,
        };
        return conflict is null ? (options, null) : (null, conflict);
    }

    private static bool IsQdrantUrl(string value, out Uri? url) =>
        Uri.TryCreate(value, UriKind.Absolute, out url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps);

    private static string Range(string flag) => flag switch
    {
        "--duration" => "a duration from 1s to 24h, such as 30, 30s, 1.5m or 10m",
        "--restart-every" => "a duration from 1s to 1h, such as 4s or 1m",
        "--workers" => "an integer from 1 to 10000",
        "--max-size" => "an integer from 1 to 1000",
        "--seed" => "an integer from 0 to 2147483647",
        _ => "an absolute http or https URL, such as http://localhost:6334",
    };
}
