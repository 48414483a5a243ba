using Microsoft.Coyote.Specifications;

namespace Pool.Tests.Systematic.Generated;

/// <summary>The outcome of exploring one generated scenario under Coyote.</summary>
internal sealed record Exploration(ConcurrentScenario Scenario, bool BugFound, string Bug, string? TracePath, uint Iterations)
{
    public override string ToString() => BugFound
        ? $"Coyote found a bug in {Scenario}:{Environment.NewLine}{Bug}{Environment.NewLine}Trace: {TracePath ?? "(not written)"}"
        : $"{Scenario}: no bug in {Iterations} iterations";
}

/// <summary>
/// Runs one generated scenario under Coyote's TestingEngine (the harness's engine settings and rewrite check, its own checks). Every
/// client's acquire must complete (a hang is Coyote's deadlock), the invariants must hold after every
/// step, and after dispose nothing may be left open.
/// </summary>
internal static class ScenarioExplorer
{
    public const string TraceFolder = "artifacts/fscheck-coyote-traces";

    public static Exploration Explore(ConcurrentScenario scenario, Func<FakeFactory, ConcurrentScenario, IPoolUnderTest> make, uint iterations, uint seed = 0)
    {
        CoyoteRunner.RequireRewritten();
        var configuration = CoyoteRunner.Quiet(iterations, maxSteps: 5000, seed);
        using var engine = TestingEngine.Create(configuration, () => RunAsync(scenario, make));
        engine.Run();
        var report = engine.TestReport;
        if (report.NumOfFoundBugs == 0)
        {
            return new Exploration(scenario, false, string.Empty, null, (uint)report.NumOfExploredFairPaths + (uint)report.NumOfExploredUnfairPaths);
        }

        string? trace = null;
        string folder = Path.Combine(CoyoteRunner.RepositoryRoot, TraceFolder);
        Directory.CreateDirectory(folder);
        if (engine.TryEmitReports(folder, $"scenario-{(uint)scenario.ToString().GetHashCode(StringComparison.Ordinal):x8}", out var files))
        {
            trace = files.FirstOrDefault(f => f.EndsWith(".trace", StringComparison.Ordinal)) ?? files.FirstOrDefault();
        }

        return new Exploration(scenario, true, string.Join(Environment.NewLine, report.BugReports), trace, iterations);
    }

    private static async Task RunAsync(ConcurrentScenario scenario, Func<FakeFactory, ConcurrentScenario, IPoolUnderTest> make)
    {
        var factory = scenario.Factory();
        var pool = make(factory, scenario);
        var clients = scenario.Clients.Select(steps => Task.Run(() => ClientAsync(pool, steps))).ToArray();
        await Task.WhenAll(clients);
        CheckInvariants(pool, "after all clients");
        await pool.DisposeAsync();
        var end = pool.GetStatistics();
        Specification.Assert(end.Total == 0 && factory.Live == 0, $"Leak after dispose: Total={end.Total}, factory live={factory.Live}.");
    }

    private static async Task ClientAsync(IPoolUnderTest pool, ClientStep[] steps)
    {
        foreach (var step in steps)
        {
            switch (step)
            {
                case ClientStep.AcquireReturn:
                case ClientStep.AcquireInvalidate:
                    try
                    {
                        var lease = await pool.AcquireAsync(null, CancellationToken.None);
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
                        var pending = pool.AcquireAsync(null, cts.Token);
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
                        tried.Return();
                    }

                    break;
            }

            CheckInvariants(pool, step.ToString());
        }
    }

    private static void CheckInvariants(IPoolUnderTest pool, string when)
    {
        var violation = PoolInvariants.FindViolation(pool.GetStatistics());
        Specification.Assert(violation is null, $"{when}: {violation}");
    }
}
