namespace Pool.Tests.Extensions.Support;

/// <summary>The health check's data dictionary: the expected one, and an exact comparison that shows every pair.</summary>
internal static class HealthData
{
    /// <summary>Compares keys, values and value types, and shows every pair when they differ.</summary>
    public static void Assert(IReadOnlyDictionary<string, object> expected, HealthReportEntry entry) =>
        Xunit.Assert.Equal(Pairs(expected), Pairs(entry.Data));

    private static string[] Pairs(IReadOnlyDictionary<string, object> data) =>
        data.Select(pair => $"{pair.Key}={pair.Value} ({pair.Value.GetType().Name})").ToArray();

    public static Dictionary<string, object> Of(
        int maxSize,
        int idle = 0,
        int inUse = 0,
        int creating = 0,
        int waiters = 0,
        bool unavailable = false,
        int consecutiveFailures = 0,
        long acquired = 0,
        long timedOut = 0,
        long createFailures = 0,
        long failedFast = 0,
        long recentTimedOut = 0,
        long recentCreateFailures = 0) => new()
        {
            ["MaxSize"] = maxSize,
            ["Total"] = idle + inUse + creating,
            ["Idle"] = idle,
            ["InUse"] = inUse,
            ["Creating"] = creating,
            ["Waiters"] = waiters,
            ["IsUnavailable"] = unavailable,
            ["ConsecutiveCreateFailures"] = consecutiveFailures,
            ["Acquired"] = acquired,
            ["TimedOut"] = timedOut,
            ["CreateFailures"] = createFailures,
            ["FailedFast"] = failedFast,
            ["RecentTimedOut"] = recentTimedOut,
            ["RecentCreateFailures"] = recentCreateFailures,
        };
}
