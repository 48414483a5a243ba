using System.Diagnostics.CodeAnalysis;

namespace Pool.Internal;

/// <summary>
/// The pool's only door to its <see cref="TimeProvider"/>, which is user code: a read that throws
/// must not change the pool's state or escape from a timer callback. Timestamps fall back to the
/// last good one (time stands still until the provider recovers); durations are computed here
/// from the frequency read once at construction; timers are created without the caller's
/// <see cref="ExecutionContext"/> (the pool owns them) and disposed without letting a throw out.
/// </summary>
/// <remarks>
/// On <see cref="TimeProvider.System"/> the pool's own timestamps (idle since, expiry, lease start)
/// are milliseconds from <see cref="Environment.TickCount64"/>: every rule they serve (idle
/// timeout, lifetime, validation after idle, leak threshold) is set in milliseconds or more, and
/// that read costs a fraction of the high-resolution one on the lease cycle. The durations recorded
/// as metrics (wait, use and create time) keep the high-resolution clock, read only while a
/// listener wants them (<see cref="MetricNow()"/>). Any other provider is read as it is, for both.
/// </remarks>
internal sealed class GuardedClock
{
    private readonly TimeProvider _time;
    private readonly double _timeSpanTicksPerTimestamp;

    // The system clock is not user code and never throws: its reads skip the guard and the shared
    // _lastGood write, which every acquire and return would otherwise make from every thread.
    private readonly bool _isSystem;

    // The last timestamp the provider returned. Written and read without a lock: a stale value is as
    // good as the fallback it stands for, and a 64-bit field is never torn on the platforms .NET 10 runs on.
    private long _lastGood;

    /// <summary>Reads the frequency once; a provider that throws here fails the pool's constructor, its caller's own call.</summary>
    public GuardedClock(TimeProvider time)
    {
        _time = time;
        _isSystem = ReferenceEquals(time, TimeProvider.System);
        TimestampFrequency = _isSystem ? 1_000 : time.TimestampFrequency;
        _timeSpanTicksPerTimestamp = TimeSpan.TicksPerSecond / (double)TimestampFrequency;
    }

    /// <summary>Whether timestamps are the coarse millisecond clock (the system provider): two reads within a millisecond are equal.</summary>
    public bool IsCoarse => _isSystem;

    /// <summary>Timestamp units per second, as the provider reported at construction.</summary>
    public long TimestampFrequency { get; }

    /// <summary>The provider's timestamp, or the last good one when the provider throws.</summary>
    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "A throwing TimeProvider must not change the pool's state.")]
    public long Now()
    {
        if (_isSystem)
        {
            return Environment.TickCount64;
        }

        try
        {
            long now = _time.GetTimestamp();
            _lastGood = now;
            return now;
        }
        catch (Exception)
        {
            return _lastGood;
        }
    }

    /// <summary>A timestamp for a metric duration: the high-resolution clock on the system provider, else <see cref="Now"/>.</summary>
    public long MetricNow() => _isSystem ? System.Diagnostics.Stopwatch.GetTimestamp() : Now();

    /// <summary>A timestamp for a metric duration that ends now, where <paramref name="now"/> was just read: no second read of a provider other than the system's.</summary>
    public long MetricNow(long now) => _isSystem ? System.Diagnostics.Stopwatch.GetTimestamp() : now;

    /// <summary>The time between two <see cref="MetricNow()"/> timestamps.</summary>
    public TimeSpan MetricElapsed(long from, long to) =>
        _isSystem ? System.Diagnostics.Stopwatch.GetElapsedTime(from, to) : Elapsed(from, to);

    /// <summary>The time between two timestamps; computed here, so it never calls the provider.</summary>
    public TimeSpan Elapsed(long from, long to) => new((long)((to - from) * _timeSpanTicksPerTimestamp));

    /// <summary>The time since <paramref name="from"/>.</summary>
    public TimeSpan ElapsedSince(long from) => Elapsed(from, Now());

    /// <summary>
    /// Creates a timer the pool owns: its callback never runs in the caller's ExecutionContext (the
    /// caller's AsyncLocals, such as Activity.Current, stay with the caller). Throws what the provider
    /// throws: the caller decides what a timer that cannot be made means.
    /// </summary>
    public ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        using (PoolOwnedWork.SuppressFlow())
        {
            return _time.CreateTimer(callback, state, dueTime, period);
        }
    }

    /// <summary>Disposes a timer; a provider whose timer throws on dispose cannot stop the pool's work.</summary>
    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "A throwing timer must not change the pool's state.")]
    public static void Dispose(ITimer? timer)
    {
        try
        {
            timer?.Dispose();
        }
        catch (Exception)
        {
            // The timer may still fire; every pool callback is idempotent against its decided outcome.
        }
    }
}
