namespace Pool.Tests.Extensions.Support;

internal static class Settings
{
    /// <summary>
    /// A pool that does nothing on its own: no maintenance, no validation, no create deadline, backoff
    /// of zero (a failed create retries at once) and no fast-fail unless a test turns it on.
    /// </summary>
    public static void Quiet(ConnectionPoolOptions options, int maxSize = 2)
    {
        options.MaxSize = maxSize;
        options.MaxConcurrentCreates = maxSize;
        options.AcquireTimeout = TimeSpan.FromSeconds(10);
        options.DisposeTimeout = Timeout.InfiniteTimeSpan;
        options.ValidateAfterIdle = Timeout.InfiniteTimeSpan;
        options.CreateTimeout = Timeout.InfiniteTimeSpan;
        options.MaintenanceInterval = Timeout.InfiniteTimeSpan;
        options.FailFastAfter = 0;
        options.Random = FixedRandom.Zero;
    }
}
