using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;

namespace Pool.Internal;

/// <summary>
/// The pool's logger, wrapped so that a logging provider that throws (from Log, IsEnabled or
/// BeginScope) can never change the pool's state, break a return or escape from a timer: logging is
/// telemetry, and the work it reports has already been decided.
/// </summary>
[SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "A logging provider's failure must not change the pool's state.")]
internal sealed class GuardedLogger(ILogger inner) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull
    {
        try
        {
            return inner.BeginScope(state);
        }
        catch (Exception)
        {
            return null;
        }
    }

    /// <summary>A provider that cannot answer is treated as off.</summary>
    public bool IsEnabled(LogLevel logLevel)
    {
        try
        {
            return inner.IsEnabled(logLevel);
        }
        catch (Exception)
        {
            return false;
        }
    }

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        try
        {
            inner.Log(logLevel, eventId, state, exception, formatter);
        }
        catch (Exception)
        {
            // The event is lost; the pool's work goes on.
        }
    }
}
