using Microsoft.Coyote;
using Microsoft.Coyote.Logging;
using Microsoft.Coyote.Rewriting;
using Microsoft.Coyote.Specifications;
using Microsoft.Coyote.SystematicTesting;
using Pool.Internal;

namespace Pool.Tests.Systematic.Properties;

/// <summary>The outcome of exploring one generated scenario under Coyote.</summary>
internal sealed record Exploration(ConcurrentScenario Scenario, bool BugFound, string Bug, string? TracePath, uint Iterations)
{
    public override string ToString() => BugFound
        ? $"Coyote found a bug in {Scenario}:{Environment.NewLine}{Bug}{Environment.NewLine}Trace: {TracePath ?? "(not written)"}"
        : $"{Scenario}: no bug in {Iterations} iterations";
}

/// <summary>
/// Runs one generated scenario under Coyote's TestingEngine (self-contained: no shared harness). Every
/// client's acquire must complete (a hang is Coyote's deadlock), the invariants must hold after every
/// step, and after dispose nothing may be left open.
/// </summary>
internal static class ScenarioExplorer
{
    public const string TraceFolder = "artifacts/fscheck-coyote-traces";

    public static Exploration Explore(ConcurrentScenario scenario, Func<ScenarioFactory, ConcurrentScenario, IMiniPool> make, uint iterations, uint seed = 0)
    {
        if (!RewritingEngine.IsAssemblyRewritten(typeof(ScenarioExplorer).Assembly) || !RewritingEngine.IsAssemblyRewritten(typeof(ConnectionPool<>).Assembly))
        {
            throw new InvalidOperationException("Pool.dll and Pool.Tests.Systematic.dll must be rewritten by Coyote (the build does it).");
        }

        var configuration = Configuration.Create()
            .WithTestingIterations(iterations)
            .WithMaxSchedulingSteps(5000)
            .WithPartiallyControlledConcurrencyAllowed(false)
            .WithTelemetryEnabled(false)
            .WithConsoleLoggingEnabled(false)
            .WithVerbosityEnabled(VerbosityLevel.Error)
            .WithRandomGeneratorSeed(seed)
            .WithDeadlockTimeout(5000);
        using var engine = TestingEngine.Create(configuration, () => RunAsync(scenario, make));
        engine.Run();
        var report = engine.TestReport;
        if (report.NumOfFoundBugs == 0)
        {
            return new Exploration(scenario, false, string.Empty, null, (uint)report.NumOfExploredFairPaths + (uint)report.NumOfExploredUnfairPaths);
        }

        string? trace = null;
        string folder = Path.Combine(RepositoryRoot(), TraceFolder);
        Directory.CreateDirectory(folder);
        if (engine.TryEmitReports(folder, $"scenario-{(uint)scenario.ToString().GetHashCode(StringComparison.Ordinal):x8}", out var files))
        {
            trace = files.FirstOrDefault(f => f.EndsWith(".trace", StringComparison.Ordinal)) ?? files.FirstOrDefault();
        }

        return new Exploration(scenario, true, string.Join(Environment.NewLine, report.BugReports), trace, iterations);
    }

    private static async Task RunAsync(ConcurrentScenario scenario, Func<ScenarioFactory, ConcurrentScenario, IMiniPool> make)
    {
        var factory = new ScenarioFactory(scenario.Creates);
        var pool = make(factory, scenario);
        var clients = scenario.Clients.Select(steps => Task.Run(() => ClientAsync(pool, steps))).ToArray();
        await Task.WhenAll(clients);
        CheckInvariants(pool, "after all clients");
        await pool.DisposeAsync();
        var end = pool.Statistics();
        Specification.Assert(end.Total == 0 && factory.Live == 0, $"Leak after dispose: Total={end.Total}, factory live={factory.Live}.");
    }

    private static async Task ClientAsync(IMiniPool pool, ClientStep[] steps)
    {
        foreach (var step in steps)
        {
            switch (step)
            {
                case ClientStep.AcquireReturn:
                case ClientStep.AcquireInvalidate:
                    try
                    {
                        var lease = await pool.AcquireAsync(CancellationToken.None);
                        CheckInvariants(pool, step.ToString());
                        await Task.Yield();
                        if (step == ClientStep.AcquireInvalidate)
                        {
                            lease.Invalidate();
                        }

                        lease.Return();
                    }
                    catch (ConnectionCreateException)
                    {
                        // The create this acquirer was first in line for failed: an expected outcome.
                    }

                    break;
                case ClientStep.AcquireThenCancel:
                    using (var cts = new CancellationTokenSource())
                    {
                        var pending = pool.AcquireAsync(cts.Token);
                        await Task.Yield();
                        cts.Cancel();
                        try
                        {
                            (await pending).Return();
                        }
                        catch (OperationCanceledException)
                        {
                        }
                        catch (ConnectionCreateException)
                        {
                        }
                    }

                    break;
                default:
                    if (pool.TryAcquire(out var tried))
                    {
                        tried!.Return();
                    }

                    break;
            }

            CheckInvariants(pool, step.ToString());
        }
    }

    private static void CheckInvariants(IMiniPool pool, string when)
    {
        var violation = PoolInvariants.FindViolation(pool.Statistics());
        Specification.Assert(violation is null, $"{when}: {violation}");
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Directory.Build.props")) || (dir is not null && dir.Name == "tests"))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? AppContext.BaseDirectory;
    }
}
