namespace Pool;

/// <summary>
/// Thrown when an acquire waited its whole timeout without getting a connection.
/// </summary>
public sealed class PoolExhaustedException : TimeoutException
{
    /// <summary>Creates the exception with a default message.</summary>
    public PoolExhaustedException()
        : base("Timed out waiting for a connection from the pool.")
    {
    }

    /// <summary>Creates the exception with the given message.</summary>
    /// <param name="message">The message.</param>
    public PoolExhaustedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the given message and inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public PoolExhaustedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
