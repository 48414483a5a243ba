using Pool.Demo.CommandLine;
using Pool.Demo.Faults;

namespace Pool.Tests.Integration.Support;

/// <summary>Helpers for runs of the demo's soak engine in-process.</summary>
internal static class SoakRuns
{
    /// <summary>The violations of a run without their "[12.3s] " time stamps.</summary>
    public static List<string> Messages(RunResult result) =>
        [.. result.Rig.Violations.First.Select(v => v[(v.IndexOf("] ", StringComparison.Ordinal) + 2)..])];

    /// <summary>A plain-demo run with no restart staged: the stand-in stays up and healthy throughout.</summary>
    public static RunSettings Calm(int workers, int maxSize) => new()
    {
        Duration = TimeSpan.FromSeconds(2),
        Workers = workers,
        MaxSize = maxSize,
        RestartEvery = TimeSpan.FromHours(1),
        WorkerChaos = new WorkerChaos { ExplicitLeases = 1 },
        QuietTimeout = TimeSpan.FromSeconds(1),
        DisposeTimeout = TimeSpan.FromSeconds(1),
    };
}
