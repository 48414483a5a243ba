using Pool.Demo.CommandLine;

namespace Pool.Tests.Integration.Soak;

/// <summary>The demo's command line: defaults, every flag, and a clear error naming the flag and its range.</summary>
public sealed class DemoOptionsTests
{
    [Fact]
    public void No_arguments_give_the_documented_defaults()
    {
        var (options, error) = DemoOptions.Parse([]);
        Assert.Null(error);
        Assert.Equal(new DemoOptions(), options);
        Assert.Equal(TimeSpan.FromSeconds(10), options!.Duration);
        Assert.Equal(64, options.Workers);
        Assert.Equal(8, options.MaxSize);
        Assert.Equal(TimeSpan.FromSeconds(4), options.RestartEvery);
        Assert.Null(options.Qdrant);
        Assert.False(options.Chaos);
        Assert.Null(options.Seed);
        Assert.False(options.Plain);
    }

    [Fact]
    public void Every_flag_is_read()
    {
        var (options, error) = DemoOptions.Parse(["--chaos", "--duration", "10m", "--seed", "42", "--workers", "3", "--max-size", "2", "--plain"]);
        Assert.Null(error);
        Assert.Equal(new DemoOptions { Chaos = true, Duration = TimeSpan.FromMinutes(10), Seed = 42, Workers = 3, MaxSize = 2, Plain = true }, options);

        Assert.Equal(new Uri("http://localhost:6334"), DemoOptions.Parse(["--qdrant", "http://localhost:6334"]).Options!.Qdrant);
        Assert.Equal(TimeSpan.FromSeconds(30), DemoOptions.Parse(["--restart-every", "30s"]).Options!.RestartEvery);
        Assert.True(DemoOptions.Parse(["--workers", "3", "--help"]).Options!.Help);
    }

    [Theory]
    [InlineData("30", 30)]
    [InlineData("30s", 30)]
    [InlineData("1.5m", 90)]
    [InlineData("10m", 600)]
    [InlineData("1500ms", 1.5)]
    [InlineData("24h", 86400)]
    public void Durations_take_a_unit_or_mean_seconds(string text, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), DemoOptions.Parse(["--duration", text]).Options!.Duration);

    [Theory]
    [InlineData(new[] { "--workers", "0" }, "--workers 0 is not allowed: an integer from 1 to 10000.")]
    [InlineData(new[] { "--workers", "many" }, "--workers many is not allowed: an integer from 1 to 10000.")]
    [InlineData(new[] { "--max-size", "1001" }, "--max-size 1001 is not allowed: an integer from 1 to 1000.")]
    [InlineData(new[] { "--duration", "500ms" }, "--duration 500ms is not allowed: a duration from 1s to 24h, such as 30, 30s, 1.5m or 10m.")]
    [InlineData(new[] { "--duration", "25h" }, "--duration 25h is not allowed: a duration from 1s to 24h, such as 30, 30s, 1.5m or 10m.")]
    [InlineData(new[] { "--duration", "-5" }, "--duration -5 is not allowed: a duration from 1s to 24h, such as 30, 30s, 1.5m or 10m.")]
    [InlineData(new[] { "--restart-every", "2h" }, "--restart-every 2h is not allowed: a duration from 1s to 1h, such as 4s or 1m.")]
    [InlineData(new[] { "--chaos", "--seed", "-1" }, "--seed -1 is not allowed: an integer from 0 to 2147483647.")]
    [InlineData(new[] { "--qdrant", "ftp://example.com" }, "--qdrant ftp://example.com is not allowed: an absolute http or https URL, such as http://localhost:6334.")]
    [InlineData(new[] { "--duration" }, "--duration needs a value: a duration from 1s to 24h, such as 30, 30s, 1.5m or 10m.")]
    [InlineData(new[] { "--workers", "--chaos" }, "--workers needs a value: an integer from 1 to 10000.")]
    [InlineData(new[] { "--bogus" }, "Unknown option --bogus; run with --help to see every option.")]
    [InlineData(new[] { "--chaos", "--qdrant", "http://localhost:6334" }, "--chaos needs the in-process stand-in (it restarts and breaks it); drop --qdrant.")]
    [InlineData(new[] { "--chaos", "--restart-every", "5s" }, "--restart-every is the plain demo's schedule; --chaos restarts at random (drop --restart-every).")]
    [InlineData(new[] { "--qdrant", "http://localhost:6334", "--restart-every", "5s" }, "--restart-every needs the in-process stand-in; a real Qdrant (--qdrant) is not restarted.")]
    [InlineData(new[] { "--seed", "5" }, "--seed only applies with --chaos.")]
    public void A_bad_command_line_names_the_flag_and_its_range(string[] args, string expected)
    {
        var (options, error) = DemoOptions.Parse(args);
        Assert.Null(options);
        Assert.Equal(expected, error);
    }

    [Fact]
    public void The_usage_lists_every_flag_with_its_default()
    {
        foreach (string flag in new[] { "--duration <time>", "--workers <n>", "--max-size <n>", "--restart-every <time>", "--qdrant <url>", "--chaos", "--seed <n>", "--plain", "--help" })
        {
            Assert.Contains(flag, DemoOptions.Usage, StringComparison.Ordinal);
        }

        foreach (string shown in new[] { "(default 10s; 1s to 24h)", "(default 64; 1 to 10000)", "(default 8; 1 to 1000)", "(default 4s; 1s to 1h)", "(default: a new one, printed;" })
        {
            Assert.Contains(shown, DemoOptions.Usage, StringComparison.Ordinal);
        }
    }
}
