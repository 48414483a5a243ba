using System.Diagnostics.CodeAnalysis;
using Pool.Internal;

namespace Pool;

public sealed partial class ConnectionPool<TConnection>
{
    private readonly object _randomLock = new(); // the user's Random is not thread-safe; never under _lock

    /// <summary>Starts a create whose slot is already reserved in Creating. The pool owns it, not an acquirer.</summary>
    private void StartCreate(int failuresBefore, bool probe, long generation) => PoolOwnedWork.Run(() => CreateAsync(failuresBefore, probe, generation));

    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "Any factory failure must free the slot and reach a waiter (I2).")]
    private async Task CreateAsync(int failuresBefore, bool probe, long generation)
    {
        // Exponential backoff with full jitter after failures; the slot stays reserved meanwhile, so
        // MaxConcurrentCreates also bounds how many creates are waiting to dial.
        var cap = Backoff.Cap(failuresBefore, _options.BackoffInitial, _options.BackoffMax);
        var backoff = cap > TimeSpan.Zero ? cap * NextRandom(fallback: 1) : TimeSpan.Zero;
        if (probe && backoff < _options.BackoffInitial)
        {
            backoff = _options.BackoffInitial; // a probe never redials at once: no hot loop while the backend is down
        }

        if (probe)
        {
            ScheduleProbe(backoff); // for RetryAfter: fast-failed acquires say when this probe dials
        }
        await Backoff.PauseAsync(_time, backoff, _disposeCts.Token).ConfigureAwait(false);
        if (!MayCallFactory())
        {
            return;
        }

        using var attempt = new CreateAttempt(_disposeCts.Token);

        // The clock is read for create_time only when someone listens (a fake clock is user code too).
        long? createStart = _metrics.TimesCreates ? _time.MetricNow() : null;
        ITimer? deadline = null;
        TConnection? connection = default;
        Exception? error = null;
        try
        {
            // A TimeProvider that cannot arm CreateTimeout fails this create (inside the try: counted,
            // its slot freed, its waiter told) without calling the factory.
            deadline = _options.CreateTimeout == Timeout.InfiniteTimeSpan ? null : _time.CreateTimer(
                static state =>
                {
                    var (pool, a) = ((ConnectionPool<TConnection>, CreateAttempt))state!;
                    pool.OnCreateTimedOut(a);
                },
                (this, attempt),
                _options.CreateTimeout,
                Timeout.InfiniteTimeSpan);
            connection = await _factory.CreateAsync(attempt.Token).ConfigureAwait(false);
            if (connection is null)
            {
                error = new InvalidOperationException("The connection factory returned null.");
            }
        }
        catch (Exception ex)
        {
            error = ex;
        }
        finally
        {
            GuardedClock.Dispose(deadline);
        }

        // Outside the lock: the clock and the Random are user code.
        long now = _time.Now();
        long expiresAt = error is null ? ExpiryFrom(now) : long.MaxValue;
        var work = default(PendingWork<TConnection>);
        ConnectionEntry<TConnection>? late = null;
        if (error is null)
        {
            late = _state.CreateSucceeded(attempt, connection!, now, expiresAt, generation, ref work);
        }
        else
        {
            _state.CreateFailed(attempt, error, ref work);
        }

        bool kept = error is null && late is null;
        RunAfterLock(ref work);
        if (kept && createStart is { } started)
        {
            _metrics.Created(_time.MetricElapsed(started, _time.MetricNow(now))); // a connection that came after CreateTimeout counts as a failure instead
        }

        if (late is not null)
        {
            await DestroyAsync(late, late: true).ConfigureAwait(false);
        }
    }

    /// <summary>A failed create and the fast-fail window it opened or a success closed: counted and logged, never under the lock.</summary>
    private void ReportCreateOutcome(in PendingWork<TConnection> work)
    {
        if (work.CreateError is { } error)
        {
            _metrics.CreateFailed(error);
            PoolLog.CreateFailed(_logger, Name, work.ConsecutiveFailures, error);
            if (work.WindowOpened)
            {
                PoolLog.WindowOpened(_logger, Name, work.ConsecutiveFailures, error);
            }
        }

        if (work.WindowClosed)
        {
            PoolLog.WindowClosed(_logger, Name);
        }
    }

    /// <summary>CreateTimeout passed before the factory answered: free the slot now, cancel the factory's token.</summary>
    private void OnCreateTimedOut(CreateAttempt attempt)
    {
        AssertNotUnderLock();
        var work = default(PendingWork<TConnection>);
        if (!_state.CreateTimedOut(attempt, PoolErrors.CreateTimedOut(Name, _options.CreateTimeout), ref work))
        {
            return;
        }

        attempt.Cancel();
        RunAfterLock(ref work);
        PoolLog.CreateTimedOut(_logger, Name, _options.CreateTimeout);
    }

    /// <summary>
    /// Checked under the lock right before the factory call, not on the dispose token: dispose sets its
    /// flag first and cancels the token after, and a create must not dial in between (I9).
    /// </summary>
    /// <returns>False when the pool is disposed: the slot was given back and the factory is not called.</returns>
    private bool MayCallFactory()
    {
        var work = default(PendingWork<TConnection>);
        bool may = _state.MayCallFactory(ref work);
        RunAfterLock(ref work);
        return may;
    }

    private long ExpiryFrom(long now)
    {
        if (_options.MaxLifetime == Timeout.InfiniteTimeSpan)
        {
            return long.MaxValue;
        }

        double shortened = _options.LifetimeJitter > 0 ? 1 - (_options.LifetimeJitter * NextRandom(fallback: 0)) : 1;
        long lifetime = _time.NotBefore(TimeSpan.FromTicks((long)(_options.MaxLifetime.Ticks * shortened)));
        return lifetime > long.MaxValue - now ? long.MaxValue : now + lifetime;
    }

    /// <summary>
    /// The user's Random, in [0, 1]; <paramref name="fallback"/> (no jitter) when it throws or answers
    /// out of range: a Random is user code, and the create it serves must still run.
    /// </summary>
    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "A throwing Random must not strand a reserved create.")]
    private double NextRandom(double fallback)
    {
        double value;
        try
        {
            lock (_randomLock)
            {
                value = _options.Random.NextDouble();
            }
        }
        catch (Exception)
        {
            return fallback;
        }

        return value is >= 0 and <= 1 ? value : fallback;
    }

    /// <summary>
    /// Destroys a connection whose slot is already counted in Destroying, then frees the slot.
    /// Runs inline until the factory's destroy first awaits; never throws.
    /// </summary>
    internal void StartDestroy(ConnectionEntry<TConnection> entry)
    {
        _metrics.Destroyed(entry.RetiredFor);
        PoolLog.Evicted(_logger, Name, entry.RetiredFor);

        // Inline (see RunAfterLock), but in the empty ExecutionContext: the caller whose return or
        // clear caused the destroy does not lend the factory its AsyncLocals.
        PoolOwnedWork.RunInline(static s => _ = s.Pool.DestroyAsync(s.Entry, late: false), (Pool: this, Entry: entry));
    }

    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "A throwing destroy is counted and must never break the pool.")]
    private async Task DestroyAsync(ConnectionEntry<TConnection> entry, bool late)
    {
        Exception? failure = null;
        ITimer? deadline = null;
        try
        {
            var destroying = _factory.DestroyAsync(entry.Connection);

            // A destroy that completed at once needs no deadline (and costs no timer). A late connection
            // holds no slot, so there is nothing to free at a deadline: it stays abandoned until done.
            if (!destroying.IsCompleted && !late && _options.DestroyTimeout != Timeout.InfiniteTimeSpan)
            {
                deadline = _time.CreateTimer(
                    static state =>
                    {
                        var (pool, e) = ((ConnectionPool<TConnection>, ConnectionEntry<TConnection>))state!;
                        pool.OnDestroyTimedOut(e);
                    },
                    (this, entry),
                    _options.DestroyTimeout,
                    Timeout.InfiniteTimeSpan);
            }

            await destroying.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            failure = ex;
        }
        finally
        {
            deadline?.Dispose();
        }

        var work = default(PendingWork<TConnection>);
        _state.DestroyFinished(entry, late, failure is not null, ref work);

        RunAfterLock(ref work);
        if (failure is not null)
        {
            PoolLog.DestroyFailed(_logger, Name, failure);
        }
    }

    /// <summary>DestroyTimeout passed before the factory's destroy completed: free the slot now; the connection stays abandoned until it does.</summary>
    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "A timer callback must never throw: that would end the process.")]
    private void OnDestroyTimedOut(ConnectionEntry<TConnection> entry)
    {
        AssertNotUnderLock();
        var work = default(PendingWork<TConnection>);
        if (!_state.DestroyTimedOut(entry, ref work))
        {
            return;
        }

        RunAfterLock(ref work);
        try
        {
            PoolLog.DestroyTimedOut(_logger, Name, _options.DestroyTimeout);
        }
        catch (Exception)
        {
            // A throwing logger must not escape a timer thread; the slot is already free.
        }
    }
}
