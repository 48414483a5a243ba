namespace Pool.Tests.Integration.Support;

/// <summary>Checks at a quiet point (no call running) that the pool's counts match reality on both ends.</summary>
internal static class QuietPoint
{
    /// <summary>
    /// Pool Total == live clients in the factory == connections the server sees. The server learns of
    /// a closed connection a moment after the client closed it, so that side is waited for.
    /// </summary>
    public static async Task AssertCountsMatchAsync(QdrantClientPool pool, QdrantStandIn standIn, int expected)
    {
        var stats = pool.GetStatistics();
        Assert.Equal(0, stats.InUse);
        Assert.Equal(0, stats.Creating);
        Assert.Equal(expected, stats.Total);
        Assert.Equal(expected, stats.Live);
        Assert.Equal(expected, pool.Factory.LiveClients);
        await Waits.UntilAsync(
            () => standIn.OpenConnections == expected,
            () => $"server sees {standIn.OpenConnections} connections, pool Total is {expected}");
    }
}
