namespace Pool;

/// <summary>
/// Thrown at once, instead of waiting out the acquire timeout, while the pool's fast-fail window is
/// open: the last <see cref="ConnectionPoolOptions.FailFastAfter"/> creates failed and no idle
/// connection could serve the acquire. The last create error is the <see cref="Exception.InnerException"/>;
/// <see cref="RetryAfter"/> says how long to wait before trying again.
/// </summary>
public sealed class PoolUnavailableException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public PoolUnavailableException()
        : base("The pool is unavailable: its backend refuses new connections.")
    {
    }

    /// <summary>Creates the exception with the given message.</summary>
    /// <param name="message">The message.</param>
    public PoolUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the given message and the last create error.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The last create error.</param>
    public PoolUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with the given message, the last create error and when to try again.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The last create error.</param>
    /// <param name="retryAfter">How long to wait before trying again; not negative.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="retryAfter"/> is negative.</exception>
    public PoolUnavailableException(string message, Exception innerException, TimeSpan retryAfter)
        : base(message, innerException)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retryAfter, TimeSpan.Zero);
        RetryAfter = retryAfter;
    }

    /// <summary>
    /// How long from when this was thrown until the pool's next probe create dials, so a caller can wait
    /// that long instead of retrying in a loop (every acquire before then fails the same way, unless a
    /// connection is returned to the pool meanwhile).
    /// </summary>
    /// <value>
    /// Never negative. While the probe waits out its backoff: the time until it dials. While the probe
    /// is dialling, or the pool has not yet chosen its backoff: <see cref="ConnectionPoolOptions.BackoffInitial"/>
    /// (the shortest pause between the pool's own dials), or the time left until that probe's
    /// <see cref="ConnectionPoolOptions.CreateTimeout"/> if that is shorter. Null when the exception was
    /// not thrown by a pool (made with another constructor).
    /// </value>
    public TimeSpan? RetryAfter { get; }
}
