using Pool.Internal;

namespace Pool;

public sealed partial class ConnectionPool<TConnection>
{
    /// <summary>
    /// The fast-fail probe's backoff is chosen: the state machine learns when it dials (now + backoff)
    /// and when its CreateTimeout would abandon it, so refused acquires can say when to retry. Called
    /// before the pause, outside the lock; the clock is read only for probes.
    /// </summary>
    private void ScheduleProbe(TimeSpan backoff)
    {
        long dialsAt = _time.Now() + _time.ToTimestampUnits(backoff);
        long answerBy = _options.CreateTimeout == Timeout.InfiniteTimeSpan ? long.MaxValue : dialsAt + _time.ToTimestampUnits(_options.CreateTimeout);
        _state.ProbeScheduled(new ProbeSchedule(dialsAt, answerBy));
    }

    /// <summary>
    /// <see cref="PoolUnavailableException.RetryAfter"/> at <paramref name="now"/>: the time until the probe
    /// dials; while it dials, or before its backoff is chosen, BackoffInitial (the shortest pause
    /// between the pool's own dials), or the time left until that probe's CreateTimeout if shorter. Never negative.
    /// </summary>
    private TimeSpan RetryAfter(ProbeSchedule? probe, long now)
    {
        var shortest = _options.BackoffInitial;
        if (probe is not { } p)
        {
            return shortest;
        }

        if (now < p.DialsAt)
        {
            return _time.Elapsed(now, p.DialsAt);
        }

        if (p.AnswerBy == long.MaxValue)
        {
            return shortest;
        }

        var untilAnswer = now < p.AnswerBy ? _time.Elapsed(now, p.AnswerBy) : TimeSpan.Zero;
        return untilAnswer < shortest ? untilAnswer : shortest;
    }
}
