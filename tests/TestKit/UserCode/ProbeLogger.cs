using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Pool.Tests.Kit;

/// <summary>A logging provider that records, for each event, what a probe (an AsyncLocal's value) read at the moment it was logged.</summary>
public sealed class ProbeLogger(Func<string?> probe) : ILoggerProvider, ILogger
{
    /// <summary>(event name, probe value) in log order.</summary>
    public ConcurrentQueue<(string? Event, string? Seen)> Seen { get; } = new();


    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Seen.Enqueue((eventId.Name, probe()));

    public void Dispose()
    {
    }
}
