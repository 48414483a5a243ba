namespace Pool.Tests.Integration.Support;

/// <summary>The load tests' capacity check, from all three sides that can see connections.</summary>
internal static class MaxSizeHeld
{
    /// <summary>
    /// MaxSize held through the load: the pool's sampled peak Total, the factory's sampled peak of live
    /// clients and the stand-in's exact peak of open connections each lie in 1..<paramref name="maxSize"/>.
    /// At least one, because the load reached the server: a peak of zero means the look saw nothing.
    /// </summary>
    public static void Throughout(QdrantStandIn standIn, PeakSampler sampler, int maxSize)
    {
        Assert.InRange(sampler.PeakTotal, 1, maxSize);
        Assert.InRange(sampler.PeakLiveClients, 1, maxSize);
        Assert.InRange(standIn.PeakOpenConnections, 1, maxSize);
    }
}
