namespace Pool;

/// <summary>
/// Thrown at once, instead of waiting out the acquire timeout, while the pool's fast-fail window is
/// open: the last <see cref="ConnectionPoolOptions.FailFastAfter"/> creates failed and no idle
/// connection could serve the acquire. The last create error is the <see cref="Exception.InnerException"/>.
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
}
