namespace Pool.Qdrant.Testing;

/// <summary>
/// Faults a <see cref="QdrantStandIn"/> injects, switchable at any time from any thread; each takes
/// effect on the next connection or call. <see cref="Reset"/> turns them all off.
/// </summary>
public sealed class QdrantStandInFaults
{
    private volatile bool _refuseConnections;
    private volatile bool _unavailable;
    private volatile bool _hang;
    private volatile bool _spareHealthCheck;
    private volatile string? _requiredApiKey;
    private long _latencyTicks;
    private long _retryAfterSeconds = -1;
    private double _probability = 1;

    /// <summary>New connections are aborted as soon as they are accepted (the client sees a reset).</summary>
    public bool RefuseConnections { get => _refuseConnections; set => _refuseConnections = value; }

    /// <summary>Every call (or the share <see cref="FaultProbability"/> picks) answers <c>Unavailable</c>, as a Qdrant node that is shutting down does.</summary>
    public bool Unavailable { get => _unavailable; set => _unavailable = value; }

    /// <summary>Every call (or the share <see cref="FaultProbability"/> picks) waits until its deadline passes or it is cancelled (a black-holed server).</summary>
    public bool Hang { get => _hang; set => _hang = value; }

    /// <summary>Added before every call (or the share <see cref="FaultProbability"/> picks) is answered.</summary>
    public TimeSpan Latency
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _latencyTicks));
        set => Interlocked.Exchange(ref _latencyTicks, value.Ticks);
    }

    /// <summary>
    /// When set, every call but <c>HealthCheck</c> needs this key in the <c>api-key</c> header (or
    /// <c>authorization: Bearer</c>) and otherwise answers <c>Unauthenticated</c>, like Qdrant.
    /// </summary>
    public string? RequiredApiKey { get => _requiredApiKey; set => _requiredApiKey = value; }

    /// <summary>
    /// When set, every call but <c>HealthCheck</c> answers <c>ResourceExhausted</c> with a
    /// <c>retry-after</c> trailer of this many whole seconds (rounded up).
    /// </summary>
    public TimeSpan? RateLimitRetryAfter
    {
        get
        {
            long seconds = Interlocked.Read(ref _retryAfterSeconds);
            return seconds < 0 ? null : TimeSpan.FromSeconds(seconds);
        }

        set => Interlocked.Exchange(ref _retryAfterSeconds, value is { } v ? (long)Math.Ceiling(Math.Max(v.TotalSeconds, 0)) : -1);
    }

    /// <summary>
    /// The chance that <see cref="Latency"/>, <see cref="Hang"/> and <see cref="Unavailable"/> hit a
    /// call, drawn once per call (all three or none), so a share of calls fails while the rest of the
    /// traffic, on the same connections, goes through.
    /// <value>0 (no call) to 1 (every call); default 1.</value>
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not between 0 and 1.</exception>
    public double FaultProbability
    {
        get => Volatile.Read(ref _probability);
        set
        {
            if (!(value is >= 0 and <= 1))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "FaultProbability must be between 0 and 1.");
            }

            Volatile.Write(ref _probability, value);
        }
    }

    /// <summary>When true, <see cref="Unavailable"/>, <see cref="Hang"/> and <see cref="Latency"/> spare
    /// <c>HealthCheck</c>, so clients can still be created and validated while other calls fail.</summary>
    public bool SpareHealthCheck { get => _spareHealthCheck; set => _spareHealthCheck = value; }

    /// <summary>Turns every fault off.</summary>
    public void Reset()
    {
        RefuseConnections = false;
        Unavailable = false;
        Hang = false;
        Latency = TimeSpan.Zero;
        RequiredApiKey = null;
        RateLimitRetryAfter = null;
        SpareHealthCheck = false;
        FaultProbability = 1;
    }

    /// <summary>Draws whether the call faults apply to one call (see <see cref="FaultProbability"/>).</summary>
    internal bool HitsThisCall()
    {
        double probability = FaultProbability;
        return probability >= 1 || (probability > 0 && Random.Shared.NextDouble() < probability);
    }
}
