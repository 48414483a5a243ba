namespace Pool.Internal;

/// <summary>Exponential backoff: the cap min(max, initial · 2^(failures−1)); the pool waits a random part of it (full jitter).</summary>
internal static class Backoff
{
    public static TimeSpan Cap(int failures, TimeSpan initial, TimeSpan max)
    {
        if (failures <= 0 || initial <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }

        // 2^30 · 1 tick already exceeds any allowed maximum, so the shift never overflows.
        int doublings = Math.Min(failures - 1, 30);
        double ticks = Math.Min(initial.Ticks * Math.Pow(2, doublings), max.Ticks);
        return TimeSpan.FromTicks((long)ticks);
    }
}
