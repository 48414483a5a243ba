using System.Globalization;

namespace Pool.Internal;

/// <summary>The pool's exception messages, built outside the lock (a user exception's Message is user code).</summary>
internal static class PoolErrors
{
    public static ConnectionCreateException CreateFailed(string pool, Exception cause) =>
        new($"The pool '{pool}' could not create a connection: {cause.Message}", cause);

    public static PoolUnavailableException Unavailable(string pool, int failures, Exception cause, TimeSpan retryAfter) =>
        new($"The pool '{pool}' is unavailable: the last {failures} creates failed, the last with: {cause.Message} "
            + "Acquires that no idle connection can serve fail at once until a probe create succeeds; "
            + string.Create(CultureInfo.InvariantCulture, $"retry after {retryAfter.TotalMilliseconds:0.###} ms (RetryAfter), when the next probe is due."),
            cause,
            retryAfter);

    public static ObjectDisposedException Disposed(string pool, Type poolType) =>
        new(poolType.FullName, $"The connection pool '{pool}' has been disposed.");

    public static TimeoutException CreateTimedOut(string pool, TimeSpan timeout) =>
        new($"The pool '{pool}' abandoned a create after CreateTimeout ({timeout}).");
}
