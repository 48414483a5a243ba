using System.Diagnostics.CodeAnalysis;
using Pool.Internal;

namespace Pool;

public sealed partial class ConnectionPool<TConnection>
{
    private readonly object _randomLock = new(); // the user's Random is not thread-safe; never under _lock

    /// <summary>Starts a create whose slot is already reserved in Creating. The pool owns it, not an acquirer.</summary>
    private void StartCreate(int failuresBefore, bool probe, long generation) => _ = Task.Run(() => CreateAsync(failuresBefore, probe, generation));

    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "Any factory failure must free the slot and reach a waiter (I2).")]
    private async Task CreateAsync(int failuresBefore, bool probe, long generation)
    {
        // Exponential backoff with full jitter after failures; the slot stays reserved meanwhile, so
        // MaxConcurrentCreates also bounds how many creates are waiting to dial.
        var cap = Backoff.Cap(failuresBefore, _options.BackoffInitial, _options.BackoffMax);
        var backoff = cap > TimeSpan.Zero ? cap * NextRandom() : TimeSpan.Zero;
        if (probe && backoff < _options.BackoffInitial)
        {
            backoff = _options.BackoffInitial; // a probe never redials at once: no hot loop while the backend is down
        }
        await Backoff.PauseAsync(_time, backoff, _disposeCts.Token).ConfigureAwait(false);
        if (_disposeCts.IsCancellationRequested)
        {
            ReleaseUnusedCreateSlot();
            return;
        }

        using var attempt = new CreateAttempt(_disposeCts.Token);
        ITimer? deadline = _options.CreateTimeout == Timeout.InfiniteTimeSpan ? null : _time.CreateTimer(
            static state =>
            {
                var (pool, a) = ((ConnectionPool<TConnection>, CreateAttempt))state!;
                pool.OnCreateTimedOut(a);
            },
            (this, attempt),
            _options.CreateTimeout,
            Timeout.InfiniteTimeSpan);

        // The clock is read for create_time only when someone listens (a fake clock is user code too).
        long? createStart = _metrics.TimesCreates ? _time.GetTimestamp() : null;
        TConnection? connection = default;
        Exception? error = null;
        try
        {
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
            deadline?.Dispose();
        }

        // Outside the lock: the clock and the Random are user code.
        long now = _time.GetTimestamp();
        long expiresAt = error is null ? ExpiryFrom(now) : long.MaxValue;
        var work = default(PendingWork<TConnection>);
        ConnectionEntry<TConnection>? late = null;
        bool kept = false;
        lock (_lock)
        {
            attempt.Settled = true;
            if (attempt.Abandoned)
            {
                if (error is null)
                {
                    _lateConnections++; // its slot was freed at the deadline; destroy it without one
                    late = new ConnectionEntry<TConnection>(this, connection!, now, expiresAt, generation);
                }
                else
                {
                    _abandoned--;
                }
            }
            else
            {
                _creating--;
                if (error is null)
                {
                    kept = true;

                    // Stamped with the generation of the reservation: a connection that a Clear() raced
                    // (opened before it, counted after it) is retired, never handed out (found by Coyote).
                    CreateSucceeded_NeedsLock(new ConnectionEntry<TConnection>(this, connection!, now, expiresAt, generation), now, ref work);
                }
                else
                {
                    CreateFailed_NeedsLock(error, ref work);
                }
            }

            Settle_NeedsLock(ref work);
            AssertInvariants_NeedsLock();
        }

        RunAfterLock(ref work);
        if (kept && createStart is { } started)
        {
            _metrics.Created(Elapsed(started, now)); // a connection that came after CreateTimeout counts as a failure instead
        }

        if (late is not null)
        {
            await DestroyAsync(late, late: true).ConfigureAwait(false);
        }
    }

    private void CreateSucceeded_NeedsLock(ConnectionEntry<TConnection> entry, long now, ref PendingWork<TConnection> work)
    {
        _created++;
        _consecutiveFailures = 0;
        if (_unavailable)
        {
            _unavailable = false;
            work.WindowClosed = true;
        }

        if (_disposed)
        {
            Retire_NeedsLock(entry, DestroyReason.Disposed, ref work); // I9: a create that finishes after dispose
        }
        else if (entry.Generation != _generation)
        {
            Retire_NeedsLock(entry, DestroyReason.Cleared, ref work);
        }
        else if (Total_NeedsLock >= _maxSize)
        {
            Retire_NeedsLock(entry, DestroyReason.Surplus, ref work); // MaxSize was lowered meanwhile
        }
        else
        {
            _idle.PushNewest(entry, now); // Settle hands it to the oldest waiter, if any
        }
    }

    /// <summary>I2: the slot is already free; the failure reaches exactly one waiter, or all of them when the window opens.</summary>
    private void CreateFailed_NeedsLock(Exception error, ref PendingWork<TConnection> work)
    {
        _createFailures++;
        _consecutiveFailures++;
        _lastCreateError = error;
        int failures = _consecutiveFailures;
        work.CreateError = error;
        work.ConsecutiveFailures = failures;
        if (_disposed)
        {
            return;
        }

        if (!_unavailable && _options.FailFastAfter > 0 && failures >= _options.FailFastAfter)
        {
            _unavailable = true;
            while (_waiters.TryDequeue(out var waiter))
            {
                _failedFast++;
                waiter.FailUnavailable(error, failures);
                work.Deliver(waiter);
            }

            FailWarmUps_NeedsLock(UnavailableError(failures, error), ref work);
            work.WindowOpened = true;
        }
        else if (_waiters.TryDequeue(out var oldest))
        {
            oldest.FailCreate(error);
            work.Deliver(oldest);
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

    // A method of its own: a lambda in CreateFailed_NeedsLock would allocate its closure on every failure.
    private Func<Exception> UnavailableError(int failures, Exception error) => () => PoolErrors.Unavailable(Name, failures, error);

    /// <summary>CreateTimeout passed before the factory answered: free the slot now, cancel the factory's token.</summary>
    private void OnCreateTimedOut(CreateAttempt attempt)
    {
        AssertNotUnderLock();
        var work = default(PendingWork<TConnection>);
        lock (_lock)
        {
            if (attempt.Settled || attempt.Abandoned)
            {
                return;
            }

            attempt.Abandoned = true;
            _creating--;
            _abandoned++;
            _createTimeouts++;
            CreateFailed_NeedsLock(PoolErrors.CreateTimedOut(Name, _options.CreateTimeout), ref work);
            Settle_NeedsLock(ref work);
            AssertInvariants_NeedsLock();
        }

        attempt.Cancel();
        RunAfterLock(ref work);
        PoolLog.CreateTimedOut(_logger, Name, _options.CreateTimeout);
    }

    private void ReleaseUnusedCreateSlot()
    {
        var work = default(PendingWork<TConnection>);
        lock (_lock)
        {
            _creating--;
            Settle_NeedsLock(ref work);
            AssertInvariants_NeedsLock();
        }

        RunAfterLock(ref work);
    }

    private long ExpiryFrom(long now)
    {
        if (_options.MaxLifetime == Timeout.InfiniteTimeSpan)
        {
            return long.MaxValue;
        }

        double shortened = _options.LifetimeJitter > 0 ? 1 - (_options.LifetimeJitter * NextRandom()) : 1;
        return now + ToTimestampTicks(TimeSpan.FromTicks((long)(_options.MaxLifetime.Ticks * shortened)));
    }

    private double NextRandom()
    {
        lock (_randomLock)
        {
            return _options.Random.NextDouble();
        }
    }
}
