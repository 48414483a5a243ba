namespace Pool;

/// <summary>
/// Thrown to the oldest waiting acquirer when the factory failed to create a connection.
/// The factory's exception is the <see cref="Exception.InnerException"/>.
/// </summary>
public sealed class ConnectionCreateException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public ConnectionCreateException()
        : base("The pool could not create a connection.")
    {
    }

    /// <summary>Creates the exception with the given message.</summary>
    /// <param name="message">The message.</param>
    public ConnectionCreateException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the given message and the factory's exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The factory's exception.</param>
    public ConnectionCreateException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
