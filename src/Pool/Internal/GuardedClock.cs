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
/// are milliseconds from <see cref="Environment.TickCount64"/>, which costs a fraction of the
/// high-resolution read on the lease cycle. That clock moves once per kernel tick (about 15.6 ms on
/// Windows, 1 to 10 ms on Linux), so the time between two of its readings is off by up to one tick
/// either way. The pool's rules are converted here so that this error never makes them act early
/// (<see cref="NotBefore"/>: idle timeout, lifetime, leak threshold; <see cref="SurelyElapsed"/>: what is
/// left of an acquire timeout) nor skip a due check (<see cref="NoLaterThan"/>: validation after idle);
/// each errs the safe way by at most <see cref="CoarseTickBound"/>. The durations recorded as metrics
/// (wait, use and create time) keep the high-resolution clock, read only while a listener wants them
/// (<see cref="MetricNow()"/>). Any other provider is read as it is, for both, and its rules are not widened.
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

    /// <summary>
    /// The most the coarse clock can lag real time, with margin: Windows' default tick (15.6 ms) is the
    /// coarsest in common use (Linux ticks every 1 to 10 ms), and the reading is truncated to a whole
    /// millisecond besides.
    /// </summary>
    public static TimeSpan CoarseTickBound { get; } = TimeSpan.FromMilliseconds(CoarseTickMilliseconds);

    private const long CoarseTickMilliseconds = 20;

    /// <summary>Whether timestamps are the coarse tick clock (the system provider): two reads within one kernel tick are equal.</summary>
    public bool IsCoarse => _isSystem;

    /// <summary>Timestamp units per second: 1,000 on the system provider (milliseconds), else as the provider reported at construction.</summary>
    public long TimestampFrequency { get; }

    /// <summary><paramref name="span"/> in timestamp units; <see cref="Timeout.InfiniteTimeSpan"/> is <see cref="long.MaxValue"/>.</summary>
    public long ToTimestampUnits(TimeSpan span) =>
        span == Timeout.InfiniteTimeSpan ? long.MaxValue : (long)(span.Ticks * (TimestampFrequency / (double)TimeSpan.TicksPerSecond));

    /// <summary>
    /// A threshold in timestamp units for a rule that must not act before <paramref name="span"/> has
    /// really passed ("idle, alive, held or waited at least this long"): on the coarse clock one tick
    /// longer, so a measured time one tick too long never fires it early. Infinite stays infinite.
    /// </summary>
    public long NotBefore(TimeSpan span)
    {
        long units = ToTimestampUnits(span);
        long slack = _isSystem ? CoarseTickMilliseconds : 0;
        return units > long.MaxValue - slack ? long.MaxValue : units + slack;
    }

    /// <summary>
    /// A threshold in timestamp units for a check that must run once <paramref name="span"/> has really
    /// passed ("validate once idle longer than this"): on the coarse clock one tick shorter, so a
    /// measured time one tick too short never skips a due check. A threshold that reaches 0 or below
    /// means every time, as 0 does; infinite stays infinite.
    /// </summary>
    public long NoLaterThan(TimeSpan span)
    {
        long units = ToTimestampUnits(span);
        if (!_isSystem || units == long.MaxValue)
        {
            return units;
        }

        // Below any difference of two readings, even one a racing thread stamped a tick after ours.
        long widened = units - CoarseTickMilliseconds;
        return widened <= 0 ? long.MinValue / 2 : widened;
    }

    /// <summary>
    /// The time between two timestamps that has surely passed: on the coarse clock one tick less (never
    /// below zero), so a deadline computed from it is never early.
    /// </summary>
    public TimeSpan SurelyElapsed(long from, long to)
    {
        var elapsed = Elapsed(from, to);
        if (!_isSystem)
        {
            return elapsed;
        }

        var sure = elapsed - CoarseTickBound;
        return sure > TimeSpan.Zero ? sure : TimeSpan.Zero;
    }

    /// <summary>The time since <paramref name="from"/> that has surely passed (<see cref="SurelyElapsed"/>).</summary>
    public TimeSpan SurelyElapsedSince(long from) => SurelyElapsed(from, Now());

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
