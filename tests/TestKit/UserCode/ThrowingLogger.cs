using Microsoft.Extensions.Logging;

namespace Pool.Tests.Kit;

/// <summary>Which member of <see cref="ILogger"/> a <see cref="ThrowingLogger"/> throws from.</summary>
public enum LoggerFault
{
    Log,
    IsEnabled,
    BeginScope,
}

/// <summary>
/// A logging provider that throws from one ILogger member (the others say "enabled" and do nothing),
/// and counts the events that reached it, for the rule that logging never changes the pool's state.
/// </summary>
public sealed class ThrowingLogger(LoggerFault fault) : ILoggerProvider, ILogger
{
    private int _events;

    public InvalidOperationException Error { get; } = new("The logging provider failed.");

    /// <summary>Calls to Log (each threw when the fault is <see cref="LoggerFault.Log"/>).</summary>
    public int Events => Volatile.Read(ref _events);


    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => fault == LoggerFault.BeginScope ? throw Error : null;

    public bool IsEnabled(LogLevel logLevel) => fault == LoggerFault.IsEnabled ? throw Error : true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        Interlocked.Increment(ref _events);
        if (fault == LoggerFault.Log)
        {
            throw Error;
        }
    }

    public void Dispose()
    {
    }
}
