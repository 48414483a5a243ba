using System.Collections.Concurrent;
using System.Diagnostics;

namespace Pool.Demo;

/// <summary>What the workers saw, and when: the outage's timeline is in milliseconds since the run started.</summary>
internal sealed class Tally
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _calls;
    private long _upserts;
    private long _queries;
    private long _fastFailures;
    private long _createFailures;
    private long _callFailures;
    private long _timeouts;
    private long _failuresDuringOutage;
    private long _failuresOutsideOutage;
    private long _wrongAnswers;
    private long _downAt = -1;
    private long _upAt = -1;
    private long _recoveredAt = -1;

    public TimeSpan Elapsed => _clock.Elapsed;

    public long Calls => Interlocked.Read(ref _calls);

    public long Upserts => Interlocked.Read(ref _upserts);

    public long Queries => Interlocked.Read(ref _queries);

    public long FastFailures => Interlocked.Read(ref _fastFailures);

    public long CreateFailures => Interlocked.Read(ref _createFailures);

    public long CallFailures => Interlocked.Read(ref _callFailures);

    public long Timeouts => Interlocked.Read(ref _timeouts);

    public long Failures => FastFailures + CreateFailures + CallFailures + Timeouts;

    public long FailuresDuringOutage => Interlocked.Read(ref _failuresDuringOutage);

    public long FailuresOutsideOutage => Interlocked.Read(ref _failuresOutsideOutage);

    public long WrongAnswers => Interlocked.Read(ref _wrongAnswers);

    public ConcurrentQueue<Exception> Unexpected { get; } = new();

    /// <summary>When the server went down, in ms since the start; null if it has not.</summary>
    public long? DownAt => Get(ref _downAt);

    /// <summary>When the server listened again.</summary>
    public long? UpAt => Get(ref _upAt);

    /// <summary>When the first call after <see cref="UpAt"/> succeeded.</summary>
    public long? RecoveredAt => Get(ref _recoveredAt);

    public long Now => _clock.ElapsedMilliseconds;

    /// <summary>Starts the run's clock from zero (after the set-up).</summary>
    public void Start() => _clock.Restart();

    public void MarkDown() => Interlocked.Exchange(ref _downAt, Now);

    public void MarkUp() => Interlocked.Exchange(ref _upAt, Now);

    public void Succeeded(bool upsert)
    {
        Interlocked.Increment(ref _calls);
        Interlocked.Increment(ref upsert ? ref _upserts : ref _queries);
        if (Interlocked.Read(ref _upAt) >= 0)
        {
            Interlocked.CompareExchange(ref _recoveredAt, Now, -1);
        }
    }

    public void WrongAnswer() => Interlocked.Increment(ref _wrongAnswers);

    public void FailedFast() => Failed(ref _fastFailures);

    public void CreateFailed() => Failed(ref _createFailures);

    public void CallFailed() => Failed(ref _callFailures);

    public void TimedOut() => Failed(ref _timeouts);

    private void Failed(ref long counter)
    {
        Interlocked.Increment(ref counter);
        long down = Interlocked.Read(ref _downAt);
        long recovered = Interlocked.Read(ref _recoveredAt);
        bool during = down >= 0 && (recovered < 0 || Now <= recovered);
        Interlocked.Increment(ref during ? ref _failuresDuringOutage : ref _failuresOutsideOutage);
    }

    private static long? Get(ref long field)
    {
        long value = Interlocked.Read(ref field);
        return value < 0 ? null : value;
    }
}
