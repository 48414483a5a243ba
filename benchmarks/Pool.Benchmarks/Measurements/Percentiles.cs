using System.Diagnostics;

namespace Pool.Benchmarks.Measurements;

/// <summary>Nearest-rank percentiles of Stopwatch tick samples, in milliseconds.</summary>
internal static class Percentiles
{
    /// <summary>The smallest sample with at least <paramref name="quantile"/> of the samples at or below it.</summary>
    public static double Milliseconds(long[] sorted, double quantile)
    {
        int rank = (int)Math.Ceiling(quantile * sorted.Length);
        return ToMilliseconds(sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)]);
    }

    public static double ToMilliseconds(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
