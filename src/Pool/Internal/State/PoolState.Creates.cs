namespace Pool.Internal;

/// <summary>How creates and destroys end, and the fast-fail window that create failures open and a success closes.</summary>
internal sealed partial class PoolState<TConnection>
{
    /// <summary>
    /// The factory returned a connection. It joins the pool (Settle hands it to the oldest waiter) or
    /// is retired at once when the pool was disposed, cleared or shrunk meanwhile.
    /// </summary>
    /// <returns>
    /// Null when the create held its slot; otherwise the create had been abandoned at CreateTimeout, and
    /// the returned late connection (holding no slot, counted in Abandoned) must be destroyed by the caller.
    /// </returns>
    public ConnectionEntry<TConnection>? CreateSucceeded(
        CreateAttempt attempt, TConnection connection, long now, long expiresAt, long generation, ref PendingWork<TConnection> work)
    {
        ConnectionEntry<TConnection>? late = null;
        lock (_lock)
        {
            now = Advance(now); // the latest time any operation brought: see Advance
            attempt.Settled = true;
            if (attempt.Abandoned)
            {
                _abandonedCreates--; // no longer a create call; the late connection stays in _abandoned until destroyed
                _counters.LateConnections++; // its slot was freed at the deadline; destroyed without one
                late = new ConnectionEntry<TConnection>(_owner, connection, now, expiresAt, generation);
            }
            else
            {
                _creating--;
                _counters.Created++;
                _consecutiveFailures = 0;
                if (_unavailable)
                {
                    _unavailable = false;
                    _probe = null;
                    work.WindowClosed = true;
                }

                // Stamped with the generation of the reservation: a connection that a Clear() raced
                // (opened before it, counted after it) is retired, never handed out (found by Coyote).
                var entry = new ConnectionEntry<TConnection>(_owner, connection, now, expiresAt, generation, _maxLeases, _tracksLeases) { Order = _opened++ };
                if (_disposed)
                {
                    Retire(entry, DestroyReason.Disposed, ref work); // I9: a create that finishes after dispose
                }
                else if (entry.Generation != _generation)
                {
                    Retire(entry, DestroyReason.Cleared, ref work);
                }
                else if (Total >= _maxSize)
                {
                    Retire(entry, DestroyReason.Surplus, ref work); // MaxSize was lowered meanwhile
                }
                else
                {
                    PushIdle(entry, now);
                }
            }

            Settle(ref work);
            AssertInvariants();
        }

        return late;
    }

    /// <summary>The factory threw (or returned null): the slot is freed and the failure reaches a waiter (I2).</summary>
    public void CreateFailed(CreateAttempt attempt, Exception error, ref PendingWork<TConnection> work)
    {
        lock (_lock)
        {
            attempt.Settled = true;
            if (attempt.Abandoned)
            {
                _abandoned--; // already counted as failed at its deadline
                _abandonedCreates--;
            }
            else
            {
                _creating--;
                FailCreate(error, ref work);
            }

            Settle(ref work);
            AssertInvariants();
        }
    }

    /// <summary>CreateTimeout passed before the factory answered: the slot is freed now and the create counts as failed.</summary>
    /// <returns>False when the create had already finished: nothing changed, and its token must not be cancelled.</returns>
    public bool CreateTimedOut(CreateAttempt attempt, Exception error, ref PendingWork<TConnection> work)
    {
        lock (_lock)
        {
            if (attempt.Settled || attempt.Abandoned)
            {
                return false;
            }

            attempt.Abandoned = true;
            _creating--;
            _abandoned++;
            _abandonedCreates++; // still a factory call in flight: it counts against MaxConcurrentCreates (I8)
            _counters.CreateTimeouts++;
            FailCreate(error, ref work);
            Settle(ref work);
            AssertInvariants();
        }

        return true;
    }

    /// <summary>
    /// The shell chose the fast-fail probe's backoff: it dials at <paramref name="schedule"/>'s DialsAt
    /// and is abandoned at its AnswerBy at the latest. Recorded for RetryAfter; ignored once the window
    /// has closed.
    /// </summary>
    public void ProbeScheduled(ProbeSchedule schedule)
    {
        lock (_lock)
        {
            if (_unavailable)
            {
                _probe = schedule;
            }
        }
    }

    /// <summary>
    /// A reserved create is about to call the factory. Decided under the lock that sets the disposed
    /// flag, so no create calls the factory once dispose has started (I9), even before dispose has
    /// cancelled the factory's token.
    /// </summary>
    /// <returns>False when the pool is disposed: the create never calls the factory and its slot is freed.</returns>
    public bool MayCallFactory(ref PendingWork<TConnection> work)
    {
        lock (_lock)
        {
            if (!_disposed)
            {
                return true;
            }

            _creating--;
            Settle(ref work);
            AssertInvariants();
        }

        return false;
    }

    /// <summary>
    /// A destroy finished (or threw): its slot is freed, unless it had none (a late connection) or gave
    /// it up at DestroyTimeout; those two only leave the abandoned count.
    /// </summary>
    public void DestroyFinished(ConnectionEntry<TConnection> entry, bool late, bool failed, ref PendingWork<TConnection> work)
    {
        lock (_lock)
        {
            if (late || entry.DestroyAbandoned)
            {
                _abandoned--; // no slot to free: a late connection never held one, an abandoned destroy freed its own
            }
            else
            {
                _destroying--;
                _counters.Destroyed++;
            }

            entry.DestroyFinished = true;
            if (failed)
            {
                _counters.DestroyFailures++;
            }

            Settle(ref work);
            AssertInvariants();
        }
    }

    /// <summary>
    /// DestroyTimeout passed before the factory's destroy completed: the slot is freed now and the
    /// connection, still open at the backend, counts as abandoned until the destroy completes.
    /// </summary>
    /// <returns>False when the destroy had already finished: nothing changed.</returns>
    public bool DestroyTimedOut(ConnectionEntry<TConnection> entry, ref PendingWork<TConnection> work)
    {
        lock (_lock)
        {
            if (entry.DestroyFinished || entry.DestroyAbandoned)
            {
                return false;
            }

            entry.DestroyAbandoned = true;
            _destroying--;
            _counters.Destroyed++; // the slot's destroy is over for the pool (Live = Idle + InUse + Destroying, I3)
            _counters.DestroyTimeouts++;
            _abandoned++;
            Settle(ref work);
            AssertInvariants();
        }

        return true;
    }

    /// <summary>
    /// I2: a failed create's slot is already free; the failure reaches exactly one waiter, or every
    /// waiter and warm-up when it opens the fast-fail window (FailFastAfter failures in a row).
    /// </summary>
    private void FailCreate(Exception error, ref PendingWork<TConnection> work)
    {
        _counters.CreateFailures++;
        _consecutiveFailures++;
        _lastCreateError = error;
        _probe = null; // the next probe is reserved by the settle that follows; the shell schedules it

        int failures = _consecutiveFailures;
        work.CreateError = error;
        work.ConsecutiveFailures = failures;
        if (_disposed)
        {
            return;
        }

        if (!_unavailable && _failFastAfter > 0 && failures >= _failFastAfter)
        {
            _unavailable = true;
            while (_waiters.TryDequeue(out var waiter))
            {
                _counters.FailedFast++;
                waiter.FailUnavailable(error, failures, _backoffInitial); // no probe is scheduled yet
                work.Deliver(waiter);
            }

            FailWarmUps(UnavailableError(failures, error), ref work);
            work.WindowOpened = true;
        }
        else if (_waiters.TryDequeue(out var oldest))
        {
            oldest.FailCreate(error);
            work.Deliver(oldest);
        }
    }

    // A method of its own: a lambda in FailCreate would allocate its closure on every failure.
    private Func<Exception> UnavailableError(int failures, Exception error)
    {
        var retryAfter = _backoffInitial; // no probe is scheduled yet
        return () => PoolErrors.Unavailable(_name, failures, error, retryAfter);
    }
}
