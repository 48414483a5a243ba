using System.Globalization;

namespace Pool.Tests.Systematic.Harness;

/// <summary>
/// How much the xunit runs explore. The defaults keep the whole suite to a few minutes on 2 cores;
/// longer runs are opt-in through environment variables (see tests/Systematic/README.md).
/// </summary>
internal static class CoyoteSettings
{
    /// <summary>Iterations per scenario in the default run.</summary>
    public const uint DefaultIterations = 1000;

    /// <summary>Iterations in which each canary's bug must be found.</summary>
    public const uint CanaryIterations = 100;

    /// <summary>Scheduling steps after which an iteration is cut; scenarios use far fewer.</summary>
    public const uint DefaultMaxSteps = 3000;

    /// <summary>The default seed: the default run explores the same schedules every time, so CI is repeatable.</summary>
    public const uint DefaultSeed = 4;

    /// <summary>POOL_COYOTE_ITERATIONS: iterations per scenario (the canaries always run <see cref="CanaryIterations"/>).</summary>
    public static uint Iterations => Read("POOL_COYOTE_ITERATIONS") ?? DefaultIterations;

    /// <summary>POOL_COYOTE_SEED: a number, or "random" for a new seed each run (printed on failure).</summary>
    public static uint Seed =>
        string.Equals(Environment.GetEnvironmentVariable("POOL_COYOTE_SEED"), "random", StringComparison.OrdinalIgnoreCase)
            ? (uint)System.Random.Shared.Next()
            : Read("POOL_COYOTE_SEED") ?? DefaultSeed;

    /// <summary>POOL_COYOTE_MAX_STEPS: the scheduling-step bound per iteration.</summary>
    public static uint MaxSteps => Read("POOL_COYOTE_MAX_STEPS") ?? DefaultMaxSteps;

    /// <summary>POOL_COYOTE_STRATEGY: random, probabilistic, prioritization or q-learning; unset: Coyote's default.</summary>
    public static string? Strategy => Environment.GetEnvironmentVariable("POOL_COYOTE_STRATEGY");

    private static uint? Read(string name)
    {
        string? value = Environment.GetEnvironmentVariable(name);
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        return uint.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out uint parsed) && parsed > 0
            ? parsed
            : throw new InvalidOperationException($"{name} is '{value}'; it must be a positive whole number.");
    }
}
