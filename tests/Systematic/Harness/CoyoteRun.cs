using System.Globalization;

namespace Pool.Tests.Systematic.Harness;

/// <summary>What one exploration of one scenario did.</summary>
internal sealed record CoyoteRun(
    string Method,
    uint Iterations,
    TimeSpan Elapsed,
    string? BugReport,
    uint? FoundInIteration,
    uint Seed,
    uint? BugSeed,
    string Strategy,
    int MaxSteps,
    IReadOnlyList<string> Uncontrolled,
    string? TraceFile)
{
    public bool BugFound => BugReport is not null;

    public double IterationsPerSecond => Iterations / Math.Max(Elapsed.TotalSeconds, 1e-3);

    public string Summary => string.Create(
        CultureInfo.InvariantCulture,
        $"{Method}: {Iterations} iterations in {Elapsed.TotalSeconds:F1} s ({IterationsPerSecond:F0}/s), max {MaxSteps} steps, strategy {Strategy}, seed {Seed}, {(BugFound ? $"bug in iteration {FoundInIteration}" : "no bug")}");

    /// <summary>The exact command that replays the trace, run from the repository root after a build.</summary>
    public string? ReplayCommand => TraceFile is null
        ? null
        : $"dotnet coyote replay {CoyoteRunner.TestDll} {Path.GetRelativePath(CoyoteRunner.RepositoryRoot, TraceFile)} -m {Method}";

    public string Describe() =>
        $"""
        Coyote found a bug in {Method}
          bug: {BugReport}
          iteration: {FoundInIteration} of {Iterations} run; strategy: {Strategy}; seed of that iteration: {BugSeed}; run seed: {Seed} (POOL_COYOTE_SEED)
          trace: {TraceFile ?? "(none written)"}
          replay: {ReplayCommand ?? "(no trace)"}
        """;
}
