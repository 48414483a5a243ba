namespace Pool.Tests.Unit.Support;

/// <summary>The outage the fast-fail logging tests start from.</summary>
internal static class FastFailOutage
{
    /// <summary>
    /// With FailFastAfter 2: two creates fail, the second acquire fails fast, the factory recovers and the
    /// probe create closes the window. Returns the factory's error, which the logged events must carry.
    /// </summary>
    public static async Task<IOException> OpenAndCloseAsync(ConnectionPool<TestConnection> pool, FakeFactory factory, ArmedTimerClock time)
    {
        var outage = new IOException("refused");
        factory.CreateError = outage;
        await Assert.ThrowsAsync<ConnectionCreateException>(() => pool.AcquireAsync().AsTask());
        await Assert.ThrowsAsync<PoolUnavailableException>(() => pool.AcquireAsync().AsTask());
        factory.CreateError = null;
        await time.AdvanceUntilAsync(() => !pool.GetStatistics().IsUnavailable, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(5), "the probe closed the window");
        return outage;
    }
}
