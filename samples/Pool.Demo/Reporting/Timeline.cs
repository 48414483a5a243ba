using System.Collections.Concurrent;
using System.Globalization;

namespace Pool.Demo.Reporting;

/// <summary>
/// When things happened, on the run's clock: each restart of the stand-in (down, up, and the first
/// call that succeeded after it: its recovery), the state of the stand-in now, and a log of events.
/// </summary>
internal sealed class Timeline
{
    private readonly object _lock = new();
    private readonly List<Restart> _restarts = []; // guarded by _lock
    private const int EventsKept = 1_000; // the newest; a day-long soak logs hundreds of thousands
    private readonly ConcurrentQueue<Event> _events = new();
    private long _logged;
    private volatile string _server = "up";

    public Timeline(RunClock clock) => Clock = clock;

    public RunClock Clock { get; }

    /// <summary>"up", "stopping", "DOWN", "restarting", or "external" for a real Qdrant.</summary>
    public string Server { get => _server; set => _server = value; }

    public IReadOnlyList<Restart> Restarts
    {
        get { lock (_lock) { return [.. _restarts]; } }
    }

    /// <summary>The newest events (up to a thousand), oldest first; <see cref="Event.Number"/> counts from 1 over the whole run.</summary>
    public IReadOnlyList<Event> Events => [.. _events];

    public void Log(string text, bool print = true)
    {
        _events.Enqueue(new Event(Interlocked.Increment(ref _logged), Clock.Elapsed, text, print));
        while (_events.Count > EventsKept && _events.TryDequeue(out _))
        {
        }
    }

    public void Down()
    {
        Server = "DOWN";
        lock (_lock)
        {
            _restarts.Add(new Restart { Down = Clock.Elapsed });
        }
    }

    public void Up()
    {
        Server = "up";
        lock (_lock)
        {
            if (_restarts.Count > 0)
            {
                _restarts[^1] = _restarts[^1] with { Up = Clock.Elapsed };
            }
        }
    }

    /// <summary>A call that started at <paramref name="started"/> succeeded now: the first after the last restart marks its recovery.</summary>
    public void Succeeded(TimeSpan started)
    {
        lock (_lock)
        {
            if (_restarts.Count > 0 && _restarts[^1] is { Up: { } up, Recovered: null } last && started >= up)
            {
                _restarts[^1] = last with { Recovered = Clock.Elapsed };
            }
        }
    }

    /// <summary>A call failed now: counted against the last restart while it lasts (from down until the first success after up).</summary>
    public void Failed()
    {
        lock (_lock)
        {
            if (_restarts.Count > 0 && _restarts[^1] is { Recovered: null } last)
            {
                _restarts[^1] = last with { FailedCalls = last.FailedCalls + 1 };
            }
        }
    }

    /// <summary>One stop and start of the stand-in, on the run's clock; immutable, replaced under the timeline's lock.</summary>
    internal sealed record Restart
    {
        public TimeSpan Down { get; init; }

        public TimeSpan? Up { get; init; }

        /// <summary>When the first call that started after <see cref="Up"/> succeeded.</summary>
        public TimeSpan? Recovered { get; init; }

        public TimeSpan? RecoveryTime => Recovered - Up;

        /// <summary>Calls that failed from <see cref="Down"/> until <see cref="Recovered"/> (or the end).</summary>
        public long FailedCalls { get; init; }

        public override string ToString()
        {
            string recovered = RecoveryTime is { } r
                ? string.Create(CultureInfo.InvariantCulture, $"{r.TotalMilliseconds:F0} ms after it was up")
                : "NEVER (before the next restart or the end)";
            return string.Create(CultureInfo.InvariantCulture, $"down at {Down.TotalSeconds:F1} s for {((Up ?? Down) - Down).TotalSeconds:F2} s, recovered {recovered}; {FailedCalls:N0} calls failed meanwhile");
        }
    }

    internal sealed record Event(long Number, TimeSpan At, string Text, bool Print)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"[{At.TotalSeconds,6:F1}s] {Text}");
    }
}
