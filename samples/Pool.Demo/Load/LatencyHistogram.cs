namespace Pool.Demo.Load;

/// <summary>
/// Call latencies in log-spaced buckets (16 per doubling, so a quantile is within 4.4 %), recorded
/// lock-free from every worker; a 10-minute run's million calls cost a few kilobytes.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int PerDoubling = 16;
    private const int Buckets = PerDoubling * 40; // up to 2^40 µs, about 12 days
    private readonly long[] _counts = new long[Buckets];
    private long _maxMicroseconds;

    public void Record(TimeSpan latency)
    {
        double us = Math.Max(1, latency.TotalMicroseconds);
        int bucket = Math.Min(Buckets - 1, (int)(Math.Log2(us) * PerDoubling));
        Interlocked.Increment(ref _counts[bucket]);
        long whole = (long)us;
        long seen;
        while (whole > (seen = Interlocked.Read(ref _maxMicroseconds)) && Interlocked.CompareExchange(ref _maxMicroseconds, whole, seen) != seen)
        {
        }
    }

    public long Count => Snapshot().Sum();

    public TimeSpan Max => TimeSpan.FromMicroseconds(Interlocked.Read(ref _maxMicroseconds));

    /// <summary>The upper edge of the bucket holding the <paramref name="quantile"/> (0 to 1); null with no samples.</summary>
    public TimeSpan? Quantile(double quantile)
    {
        long[] counts = Snapshot();
        long total = counts.Sum();
        if (total == 0)
        {
            return null;
        }

        long rank = Math.Max(1, (long)Math.Ceiling(quantile * total));
        long seen = 0;
        for (int i = 0; i < counts.Length; i++)
        {
            seen += counts[i];
            if (seen >= rank)
            {
                var edge = TimeSpan.FromMicroseconds(Math.Pow(2, (i + 1) / (double)PerDoubling));
                return edge < Max ? edge : Max;
            }
        }

        return Max;
    }

    private long[] Snapshot()
    {
        var copy = new long[Buckets];
        for (int i = 0; i < Buckets; i++)
        {
            copy[i] = Volatile.Read(ref _counts[i]);
        }

        return copy;
    }
}
