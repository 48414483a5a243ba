namespace Pool.Tests.Integration.Soak;

/// <summary>The built demo as a process: its exit codes and what it prints for --help and a bad flag.</summary>
public sealed class DemoProcessTests
{
    [Fact]
    public async Task A_bad_flag_exits_with_code_2_and_names_the_flag_and_its_range()
    {
        var (code, stdout, stderr) = await RunDemoAsync("--max-size", "0");
        Assert.Equal(2, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Equal(
            "error: --max-size 0 is not allowed: an integer from 1 to 1000.\nRun with --help to see every option, its default and its range.\n",
            stderr.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Help_exits_with_code_0_and_prints_the_usage()
    {
        var (code, stdout, stderr) = await RunDemoAsync("--help");
        Assert.Equal(0, code);
        Assert.Equal(Pool.Demo.CommandLine.DemoOptions.Usage + "\n", stdout.ReplaceLineEndings("\n"));
        Assert.Equal(string.Empty, stderr);
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunDemoAsync(params string[] args)
    {
        // The referenced demo is built next to the tests, with its runtimeconfig.
        string dll = Path.Combine(AppContext.BaseDirectory, "Pool.Demo.dll");
        Assert.True(File.Exists(Path.ChangeExtension(dll, ".runtimeconfig.json")), "the demo's runtimeconfig was not copied next to the tests");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
