using System.Collections.Concurrent;

namespace Pool.Qdrant.Testing.Internal;

/// <summary>Everything of a stand-in that survives its restarts: data, faults, counters.</summary>
internal sealed class StandInState
{
    private readonly ConcurrentDictionary<string, long> _calls = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IReadOnlyDictionary<string, string>> _lastHeaders = new(StringComparer.Ordinal);
    private int _inFlight;
    private int _peakInFlight;

    public StandInState(string version)
    {
        Version = version;
        Tracker = new ConnectionTracker(Faults);
    }

    public string Version { get; }

    public StandInStore Store { get; } = new();

    public QdrantStandInFaults Faults { get; } = new();

    public ConnectionTracker Tracker { get; }

    public int InFlight => Volatile.Read(ref _inFlight);

    public int PeakInFlight => Volatile.Read(ref _peakInFlight);

    /// <summary>Starts a new peak from the calls in flight now.</summary>
    public void ResetPeakInFlight() => Volatile.Write(ref _peakInFlight, Volatile.Read(ref _inFlight));

    public IReadOnlyDictionary<string, long> Calls => new Dictionary<string, long>(_calls, StringComparer.Ordinal);

    public long CallCount(string method) => _calls.TryGetValue(method, out long count) ? count : 0;

    public IReadOnlyDictionary<string, string> LastRequestHeaders(string method) =>
        _lastHeaders.TryGetValue(method, out var headers) ? headers : new Dictionary<string, string>(StringComparer.Ordinal);

    public void CallStarted(string method, IReadOnlyDictionary<string, string> headers)
    {
        _lastHeaders[method] = headers;
        _calls.AddOrUpdate(method, 1, static (_, count) => count + 1);
        int now = Interlocked.Increment(ref _inFlight);
        int peak;
        while (now > (peak = Volatile.Read(ref _peakInFlight)) && Interlocked.CompareExchange(ref _peakInFlight, now, peak) != peak)
        {
        }
    }

    public void CallEnded() => Interlocked.Decrement(ref _inFlight);
}
