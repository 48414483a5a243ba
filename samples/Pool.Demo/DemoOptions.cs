using System.Globalization;

namespace Pool.Demo;

/// <summary>The demo's command line.</summary>
internal sealed record DemoOptions
{
    public const string Usage = """
        Usage: dotnet run --project samples/Pool.Demo [-- options]

        Runs concurrent upserts and queries through a QdrantClientPool while Qdrant restarts,
        prints progress once a second and a final report, and exits 1 if a pool invariant broke.

          --duration <seconds>  how long the load runs (default 10); the in-process stand-in is
                                down for min(3 s, 30 % of it) in the middle
          --workers <n>         concurrent callers (default 64)
          --max-size <n>        the pool's MaxSize (default 8)
          --qdrant <url>        a real Qdrant gRPC endpoint (e.g. http://localhost:6334) instead of
                                the stand-in; no restart is staged then (QDRANT_API_KEY is sent if set)
          --help                this text
        """;

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    public int Workers { get; init; } = 64;

    public int MaxSize { get; init; } = 8;

    public Uri? Qdrant { get; init; }

    public bool Help { get; init; }

    /// <summary>Parses the arguments, or returns the problem.</summary>
    public static (DemoOptions? Options, string? Error) Parse(string[] args)
    {
        var options = new DemoOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string flag = args[i];
            if (flag is "--help" or "-h")
            {
                return (options with { Help = true }, null);
            }

            if (i + 1 >= args.Length)
            {
                return (null, $"{flag} needs a value.");
            }

            string value = args[++i];
            switch (flag)
            {
                case "--duration" when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds is >= 1 and <= 3600:
                    options = options with { Duration = TimeSpan.FromSeconds(seconds) };
                    break;
                case "--workers" when int.TryParse(value, CultureInfo.InvariantCulture, out int workers) && workers is >= 1 and <= 10_000:
                    options = options with { Workers = workers };
                    break;
                case "--max-size" when int.TryParse(value, CultureInfo.InvariantCulture, out int maxSize) && maxSize is >= 1 and <= 1_000:
                    options = options with { MaxSize = maxSize };
                    break;
                case "--qdrant" when Uri.TryCreate(value, UriKind.Absolute, out var url):
                    options = options with { Qdrant = url };
                    break;
                case "--duration" or "--workers" or "--max-size" or "--qdrant":
                    return (null, $"{flag} {value}: out of range (--duration 1 to 3600 s, --workers 1 to 10000, --max-size 1 to 1000, --qdrant an absolute URL).");
                default:
                    return (null, $"Unknown option {flag}.");
            }
        }

        return (options, null);
    }
}
