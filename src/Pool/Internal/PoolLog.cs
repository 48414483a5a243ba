using Microsoft.Extensions.Logging;

namespace Pool.Internal;

/// <summary>The pool's log events. Generated with LoggerMessage: nothing is formatted when the level is off.</summary>
internal static partial class PoolLog
{
    [LoggerMessage(EventId = 1, EventName = "CreateFailed", Level = LogLevel.Warning,
        Message = "Pool '{Pool}' could not create a connection (failure {ConsecutiveFailures} in a row).")]
    public static partial void CreateFailed(ILogger logger, string pool, int consecutiveFailures, Exception error);

    [LoggerMessage(EventId = 2, EventName = "Unavailable", Level = LogLevel.Error,
        Message = "Pool '{Pool}' is unavailable after {ConsecutiveFailures} failed creates: acquires fail fast until a probe create succeeds.")]
    public static partial void WindowOpened(ILogger logger, string pool, int consecutiveFailures, Exception error);

    [LoggerMessage(EventId = 3, EventName = "Available", Level = LogLevel.Information,
        Message = "Pool '{Pool}' is available again: a probe create succeeded.")]
    public static partial void WindowClosed(ILogger logger, string pool);

    /// <summary>The reason is logged in the words of the pool.destroy.reason metric attribute.</summary>
    public static void Evicted(ILogger logger, string pool, DestroyReason reason)
    {
        if (logger.IsEnabled(LogLevel.Debug))
        {
            Evicted(logger, pool, PoolMetrics.ReasonNames[(int)reason]);
        }
    }

    [LoggerMessage(EventId = 4, EventName = "Evicted", Level = LogLevel.Debug, SkipEnabledCheck = true,
        Message = "Pool '{Pool}' destroys a connection: {Reason}.")]
    private static partial void Evicted(ILogger logger, string pool, string reason);

    [LoggerMessage(EventId = 5, EventName = "LeakSuspected", Level = LogLevel.Warning,
        Message = "Pool '{Pool}': a connection has been leased for {HeldFor} (LeakDetectionThreshold {Threshold}); it was acquired at:\n{AcquireSite}")]
    public static partial void LeakSuspected(ILogger logger, string pool, TimeSpan heldFor, TimeSpan threshold, string acquireSite);

    [LoggerMessage(EventId = 6, EventName = "LeakReturned", Level = LogLevel.Warning,
        Message = "Pool '{Pool}': the connection reported as leaked came back after {HeldFor}.")]
    public static partial void LeakReturned(ILogger logger, string pool, TimeSpan heldFor);

    [LoggerMessage(EventId = 7, EventName = "CreateTimedOut", Level = LogLevel.Warning,
        Message = "Pool '{Pool}' abandoned a create after CreateTimeout {Timeout}; its slot is free again.")]
    public static partial void CreateTimedOut(ILogger logger, string pool, TimeSpan timeout);

    [LoggerMessage(EventId = 8, EventName = "DestroyFailed", Level = LogLevel.Warning,
        Message = "Pool '{Pool}': destroying a connection threw; it is counted and ignored.")]
    public static partial void DestroyFailed(ILogger logger, string pool, Exception error);

    [LoggerMessage(EventId = 9, EventName = "DestroyTimedOut", Level = LogLevel.Warning,
        Message = "Pool '{Pool}' abandoned a destroy after DestroyTimeout {Timeout}; its slot is free again and the connection counts as abandoned until the destroy completes.")]
    public static partial void DestroyTimedOut(ILogger logger, string pool, TimeSpan timeout);
}
