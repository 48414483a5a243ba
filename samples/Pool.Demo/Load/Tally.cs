namespace Pool.Demo.Load;

/// <summary>
/// What the workers saw: acquires started and leased, how every call ended (<see cref="Outcome"/>),
/// the latency of the calls that succeeded. Written lock-free by every worker.
/// </summary>
internal sealed class Tally
{
    private readonly long[] _outcomes = new long[Outcomes.All.Length];
    private long _started;
    private long _leased;
    private long _upserts;
    private long _queries;
    private long _wrongAnswers;
    private long _unexpectedBeforeLease;

    /// <summary>Calls started (each begins with an acquire).</summary>
    public long Started => Interlocked.Read(ref _started);

    /// <summary>Acquires that handed out a client.</summary>
    public long Leased => Interlocked.Read(ref _leased);

    public long Calls => Count(Outcome.Succeeded);

    public long Upserts => Interlocked.Read(ref _upserts);

    public long Queries => Interlocked.Read(ref _queries);

    public long WrongAnswers => Interlocked.Read(ref _wrongAnswers);

    public long Failures => Outcomes.Failures.Sum(Count);

    /// <summary>Calls that ended, in any way.</summary>
    public long Completed => Outcomes.All.Sum(Count);

    /// <summary>Calls that ended before they held a client.</summary>
    public long EndedBeforeLease => Outcomes.All.Where(Outcomes.BeforeLease).Sum(Count) + Interlocked.Read(ref _unexpectedBeforeLease);

    public LatencyHistogram Latency { get; } = new();

    public long Count(Outcome outcome) => Interlocked.Read(ref _outcomes[(int)outcome]);

    public void Start() => Interlocked.Increment(ref _started);

    public void Leases() => Interlocked.Increment(ref _leased);

    /// <summary>Records a successful call (its end is counted by <see cref="End"/>).</summary>
    public void Record(bool upsert, TimeSpan latency)
    {
        Interlocked.Increment(ref upsert ? ref _upserts : ref _queries);
        Latency.Record(latency);
    }

    public void WrongAnswer() => Interlocked.Increment(ref _wrongAnswers);

    /// <summary>Counts a call's end. An unexpected error before the lease is also counted apart, for the acquire accounting.</summary>
    public void End(Outcome outcome, bool leased = true)
    {
        if (outcome == Outcome.Unexpected && !leased)
        {
            Interlocked.Increment(ref _unexpectedBeforeLease);
        }

        Interlocked.Increment(ref _outcomes[(int)outcome]);
    }
}
