using Grpc.Core;
using Pool.Qdrant.Testing.Internal;

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
    private double _serverErrorProbability = 1;

    // The server error answered to every call (or a share), and the one for the next N calls.
    private readonly object _serverErrorLock = new();
    private StatusCode? _serverError;    // guarded by _serverErrorLock
    private StatusCode _nextCallsError;  // guarded by _serverErrorLock
    private int _nextCallsLeft;          // guarded by _serverErrorLock

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
        set => Volatile.Write(ref _probability, Checked(value, "FaultProbability"));
    }

    /// <summary>When true, <see cref="Unavailable"/>, <see cref="Hang"/> and <see cref="Latency"/> spare
    /// <c>HealthCheck</c>, so clients can still be created and validated while other calls fail.</summary>
    public bool SpareHealthCheck { get => _spareHealthCheck; set => _spareHealthCheck = value; }

    /// <summary>
    /// When set, every call but <c>HealthCheck</c> (or the share <see cref="ServerErrorProbability"/>
    /// picks) is answered by the server with this status and a message like Qdrant's, over the healthy
    /// connection: what Qdrant says when a shard is unavailable (<see cref="StatusCode.Unavailable"/>),
    /// it ran out of memory or disk (<see cref="StatusCode.Internal"/>), its storage timed out
    /// (<see cref="StatusCode.DeadlineExceeded"/>), or something unexpected failed
    /// (<see cref="StatusCode.Unknown"/>). The health check answers, as Qdrant's does in those states.
    /// <value>Null (off), or one of those four codes; default null.</value>
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Another status code.</exception>
    public StatusCode? ServerError
    {
        get
        {
            lock (_serverErrorLock)
            {
                return _serverError;
            }
        }

        set
        {
            if (value is { } code)
            {
                QdrantErrorAnswers.Check(code, nameof(value));
            }

            lock (_serverErrorLock)
            {
                _serverError = value;
            }
        }
    }

    /// <summary>
    /// The chance that <see cref="ServerError"/> answers a call, drawn once per call, so a share of the
    /// calls fails while the rest, on the same connections, goes through.
    /// <value>0 (no call) to 1 (every call); default 1.</value>
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not between 0 and 1.</exception>
    public double ServerErrorProbability
    {
        get => Volatile.Read(ref _serverErrorProbability);
        set => Volatile.Write(ref _serverErrorProbability, Checked(value, "ServerErrorProbability"));
    }

    /// <summary>Calls that <see cref="AnswerNextCallsWith"/> will still answer with its error.</summary>
    public int ServerErrorCallsLeft
    {
        get
        {
            lock (_serverErrorLock)
            {
                return _nextCallsLeft;
            }
        }
    }

    /// <summary>
    /// The next <paramref name="count"/> calls but <c>HealthCheck</c> are answered with
    /// <paramref name="status"/> and a Qdrant-like message (see <see cref="ServerError"/>), whatever
    /// <see cref="ServerErrorProbability"/> says; later calls are answered normally. Replaces an earlier
    /// count not used up; 0 cancels it.
    /// </summary>
    /// <param name="status">Unavailable, Internal, DeadlineExceeded or Unknown.</param>
    /// <param name="count">How many calls; 0 or more.</param>
    /// <exception cref="ArgumentOutOfRangeException">Another status code, or a negative count.</exception>
    public void AnswerNextCallsWith(StatusCode status, int count)
    {
        QdrantErrorAnswers.Check(status, nameof(status));
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        lock (_serverErrorLock)
        {
            _nextCallsError = status;
            _nextCallsLeft = count;
        }
    }

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
        ServerError = null;
        ServerErrorProbability = 1;
        AnswerNextCallsWith(StatusCode.Unavailable, 0);
    }

    /// <summary>The server error this call gets, if any: first the next-calls count, then the share.</summary>
    internal StatusCode? ServerErrorForThisCall()
    {
        StatusCode? always;
        lock (_serverErrorLock)
        {
            if (_nextCallsLeft > 0)
            {
                _nextCallsLeft--;
                return _nextCallsError;
            }

            always = _serverError;
        }

        // Random is drawn outside the lock: it is not ours to call under it.
        return always is not null && Draw(ServerErrorProbability) ? always : null;
    }

    /// <summary>Draws whether the call faults apply to one call (see <see cref="FaultProbability"/>).</summary>
    internal bool HitsThisCall()
    {
        return Draw(FaultProbability);
    }

    // The setters' parameter is "value", so that is the name the exception carries.
    private static double Checked(double value, string property) =>
        value is >= 0 and <= 1
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, property + " must be between 0 and 1.");

    /// <summary>One draw: true with the chance given, without touching Random at 0 or 1.</summary>
    private static bool Draw(double probability) => probability >= 1 || (probability > 0 && Random.Shared.NextDouble() < probability);
}
