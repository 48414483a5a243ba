using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using Microsoft.Coyote.Logging;
using Microsoft.Coyote.Rewriting;

namespace Pool.Tests.Systematic.Harness;

/// <summary>
/// Runs a scenario under Coyote's <see cref="TestingEngine"/> from xunit. The scenario must be a
/// static method marked <c>[Microsoft.Coyote.SystematicTesting.Test]</c>, so every failure can be
/// replayed with the Coyote CLI by the command the failure prints.
/// </summary>
internal static class CoyoteRunner
{
    public const string TraceFolder = "artifacts/coyote-traces";
    public const string TestDll = "tests/Systematic/bin/Debug/net10.0/Pool.Tests.Systematic.dll";

    /// <summary>Explores the scenario; fails with the bug, seed, trace and replay command if one is found.</summary>
    public static CoyoteRun AssertNoBug(Func<Task> scenario, ITestOutputHelper output, uint? iterations = null)
    {
        var run = Explore(scenario, iterations ?? CoyoteSettings.Iterations);
        output.WriteLine(run.Summary);
        if (run.BugFound)
        {
            Assert.Fail(run.Describe());
        }

        Assert.True(run.Uncontrolled.Count == 0, $"Uncontrolled invocations in {run.Method}: {string.Join("; ", run.Uncontrolled)}");
        Assert.True(run.Iterations == (iterations ?? CoyoteSettings.Iterations), $"{run.Method} ran {run.Iterations} iterations, not all it was asked to.");
        return run;
    }

    /// <summary>Explores a scenario that must fail; returns the run so the caller can check the bug text.</summary>
    public static CoyoteRun AssertBugFound(Func<Task> scenario, ITestOutputHelper output, string expected, uint iterations) =>
        AssertBugFound(scenario, output, [expected], iterations);

    /// <summary>
    /// Explores a scenario that must fail with a bug report containing one of <paramref name="anyOf"/>: for a
    /// bug that breaks more than one invariant, where the interleaving decides which check sees it first.
    /// </summary>
    public static CoyoteRun AssertBugFound(Func<Task> scenario, ITestOutputHelper output, IReadOnlyList<string> anyOf, uint iterations)
    {
        var run = Explore(scenario, iterations);
        output.WriteLine(run.Summary);
        string expected = string.Join("\" or \"", anyOf);
        Assert.True(run.BugFound, $"{run.Method}: no bug found in {run.Iterations} iterations; expected one containing \"{expected}\".");
        Assert.True(
            anyOf.Any(e => run.BugReport!.Contains(e, StringComparison.Ordinal)),
            $"{run.Method}: found a bug, but not the expected one (\"{expected}\"):{Environment.NewLine}{run.Describe()}");
        output.WriteLine($"Found in iteration {run.FoundInIteration}: {run.BugReport}");
        return run;
    }

    public static CoyoteRun Explore(Func<Task> scenario, uint iterations)
    {
        MethodInfo method = scenario.Method;
        string name = $"{method.DeclaringType!.FullName}.{method.Name}";
        RequireEntryPoint(method, name);
        RequireRewritten();

        uint seed = CoyoteSettings.Seed;
        var configuration = Quiet(iterations, CoyoteSettings.MaxSteps, seed);
        configuration = CoyoteSettings.Strategy switch
        {
            null or "" => configuration,
            "random" => configuration.WithRandomStrategy(),
            "probabilistic" => configuration.WithProbabilisticStrategy(),
            "prioritization" => configuration.WithPrioritizationStrategy(),
            "q-learning" => configuration.WithQLearningStrategy(),
            string other => throw new InvalidOperationException($"POOL_COYOTE_STRATEGY is '{other}'; use random, probabilistic, prioritization or q-learning."),
        };

        using var engine = TestingEngine.Create(configuration, scenario);
        uint started = 0;
        engine.RegisterStartIterationCallBack(iteration => started = iteration + 1);
        var watch = Stopwatch.StartNew();
        engine.Run();
        watch.Stop();

        var report = engine.TestReport;
        bool bugFound = report.NumOfFoundBugs > 0;
        string? trace = null;
        if (bugFound || report.UncontrolledInvocations.Count > 0)
        {
            string folder = Path.Combine(RepositoryRoot, TraceFolder);
            Directory.CreateDirectory(folder);
            if (engine.TryEmitReports(folder, name, out var files))
            {
                trace = files.FirstOrDefault(f => f.EndsWith(".trace", StringComparison.Ordinal));
            }
        }

        // The trace names the strategy and seed of the failing iteration (the default portfolio rotates strategies).
        string strategy = CoyoteSettings.Strategy ?? "portfolio";
        uint? bugSeed = null;
        if (trace is not null)
        {
            using var json = JsonDocument.Parse(File.ReadAllText(trace));
            var settings = json.RootElement.GetProperty("Settings");
            strategy = $"{settings.GetProperty("Strategy").GetString()} (bound {settings.GetProperty("StrategyBound").GetInt32()})";
            bugSeed = settings.GetProperty("Seed").GetUInt32();
        }

        return new CoyoteRun(
            name, started, watch.Elapsed, bugFound ? report.BugReports.First() : null,
            bugFound ? started : null, seed, bugSeed, strategy, Math.Max(report.MaxExploredFairSteps, report.MaxExploredUnfairSteps),
            report.UncontrolledInvocations.ToList(), trace);
    }

    /// <summary>The folder holding Pool.sln: traces and replay commands are relative to it.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    private static void RequireEntryPoint(MethodInfo method, string name)
    {
        if (!method.IsStatic || !method.IsPublic || method.GetCustomAttribute<TestAttribute>() is null || method.GetParameters().Length != 0)
        {
            Assert.Fail($"{name} must be a public static parameterless method marked [Microsoft.Coyote.SystematicTesting.Test], so a failure can be replayed by name.");
        }
    }

    /// <summary>
    /// The engine's settings every run shares: no partial control, no telemetry, no console output,
    /// the given iterations, step bound and seed.
    /// </summary>
    public static Configuration Quiet(uint iterations, uint maxSteps, uint seed) =>
        Configuration.Create()
            .WithTestingIterations(iterations)
            .WithMaxSchedulingSteps(maxSteps)
            .WithPartiallyControlledConcurrencyAllowed(false)
            .WithTelemetryEnabled(false)
            .WithConsoleLoggingEnabled(false)
            .WithVerbosityEnabled(VerbosityLevel.Error)
            .WithRandomGeneratorSeed(seed)
            // The periodic (wall-clock) deadlock monitor only reports blocking Coyote cannot see; on a
            // 2-core machine shared with other test runs a thread can go unscheduled for seconds, so
            // 30 s (not the default 1 s) keeps a slow step from being reported as a hang.
            .WithDeadlockTimeout(30_000);

    /// <summary>The assemblies Coyote must have rewritten: the pool, the test kit and this project.</summary>
    public static IReadOnlyList<Assembly> RewrittenAssemblies { get; } =
        [typeof(ConnectionPool<>).Assembly, typeof(CoyoteClock).Assembly, typeof(CoyoteRunner).Assembly];

    /// <summary>No false passes: an assembly Coyote did not rewrite runs uncontrolled and proves nothing.</summary>
    public static void RequireRewritten()
    {
        foreach (var assembly in RewrittenAssemblies)
        {
            if (!RewritingEngine.IsAssemblyRewritten(assembly))
            {
                Assert.Fail(
                    $"{assembly.GetName().Name}.dll is not rewritten for Coyote, so a run would prove nothing. "
                    + "Build tests/Systematic (its CoyoteRewrite target rewrites the output) and do not set CoyoteRewrite=false.");
            }
        }
    }

    private static string FindRepositoryRoot()
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
}
