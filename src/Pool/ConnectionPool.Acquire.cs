using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using Pool.Internal;

namespace Pool;

public sealed partial class ConnectionPool<TConnection>
{
    /// <summary>
    /// Leases a connection, waiting up to the pool's <see cref="ConnectionPoolOptions.AcquireTimeout"/>.
    /// Dispose the lease to return the connection.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait; a create the wait caused still completes for the pool.</param>
    /// <returns>The lease.</returns>
    /// <exception cref="PoolExhaustedException">No connection came within the timeout.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled first.</exception>
    /// <exception cref="ConnectionCreateException">The create this acquirer was first in line for failed.</exception>
    /// <exception cref="PoolUnavailableException">The fast-fail window is open and no idle connection could serve.</exception>
    /// <exception cref="ObjectDisposedException">The pool is or was disposed while waiting.</exception>
    public ValueTask<PooledConnection<TConnection>> AcquireAsync(CancellationToken cancellationToken = default) =>
        AcquireCoreAsync(_options.AcquireTimeout, cancellationToken);

    /// <summary>Leases a connection, waiting up to <paramref name="timeout"/>.</summary>
    /// <param name="timeout">Greater than zero and at most <see cref="ConnectionPoolOptions.MaxTimeout"/>, or <see cref="Timeout.InfiniteTimeSpan"/>.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The lease.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is out of range.</exception>
    public ValueTask<PooledConnection<TConnection>> AcquireAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (!ConnectionPoolOptions.IsTimeout(timeout, allowZero: false))
        {
            throw new ArgumentOutOfRangeException(
                nameof(timeout), timeout,
                $"timeout must be greater than zero and at most {ConnectionPoolOptions.MaxTimeout}, or Timeout.InfiniteTimeSpan.");
        }

        return AcquireCoreAsync(timeout, cancellationToken);
    }

    /// <summary>
    /// Leases an idle connection if one is ready now. Never waits, never validates and never creates:
    /// when it returns false, no connection was handed out.
    /// </summary>
    /// <param name="lease">The lease, when the result is true.</param>
    /// <returns>True if an idle connection was leased.</returns>
    /// <exception cref="ObjectDisposedException">The pool is disposed.</exception>
    public bool TryAcquire(out PooledConnection<TConnection> lease)
    {
        long now = _time.Now();
        var work = default(PendingWork<TConnection>);
        var reservation = _state.Reserve(now, waitTimeout: null, ref work);
        RunAfterLock(ref work);
        ObjectDisposedException.ThrowIf(reservation.Disposed, this);
        lease = reservation.Lease;
        if (lease.Entry is null)
        {
            return false; // and no stack was captured for it
        }

        RecordLeaseSite(lease, _leaseSites?.Capture());
        Handed(lease, WaitStart(now));
        return true;
    }

    private ValueTask<PooledConnection<TConnection>> AcquireCoreAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<PooledConnection<TConnection>>(cancellationToken);
        }

        long start = _time.Now();
        long waitStart = WaitStart(start);
        var step = TakeOrQueue(start, timeout, out var error);
        if (error is not null)
        {
            return ValueTask.FromException<PooledConnection<TConnection>>(error);
        }

        if (step.Waiter is null && !NeedsCheck(step.Lease, start))
        {
            RecordLeaseSite(step.Lease, _leaseSites?.Capture());
            Handed(step.Lease, waitStart);
            return new ValueTask<PooledConnection<TConnection>>(step.Lease); // the allocation-free path
        }

        // Captured here, while the acquirer's own stack is still the thread's; attached once a lease is in hand.
        var site = _leaseSites?.Capture();
        if (step.Waiter is { } waiter && site is null && waitStart == NotTimed && !_metrics.TimesLeases && _validateAfterIdleTicks > 0)
        {
            // Nothing to do once the waiter is served (no check on borrow, no stack to attach, no
            // wait_time to record): the caller awaits the waiter's own task, and whoever delivers the
            // outcome releases the timer and the token registration. One allocation fewer per wait and
            // no async method around it (the hand-off benchmark).
            ArmWaiter(waiter, Remaining(start, timeout), cancellationToken);
            return new ValueTask<PooledConnection<TConnection>>(waiter.Task);
        }

        return AcquireSlowAsync(step, start, waitStart, timeout, site, cancellationToken);
    }

    /// <summary>One attempt: take an idle connection, fail fast, or join the queue; the refusal's exception is built here, after the lock.</summary>
    private Reservation<TConnection> TakeOrQueue(long now, TimeSpan timeout, out Exception? error)
    {
        var work = default(PendingWork<TConnection>);
        var reservation = _state.Reserve(now, timeout, ref work);
        RunAfterLock(ref work);
        error = reservation.Disposed ? PoolErrors.Disposed(Name, GetType())
            : reservation.UnavailableCause is { } cause ? PoolErrors.Unavailable(Name, reservation.Failures, cause, RetryAfter(reservation.Probe, now))
            : null;
        return reservation;
    }

    private async ValueTask<PooledConnection<TConnection>> AcquireSlowAsync(
        Reservation<TConnection> step, long start, long waitStart, TimeSpan timeout, StackTrace? site, CancellationToken cancellationToken)
    {
        while (true)
        {
            PooledConnection<TConnection> lease;
            bool check;
            if (step.Waiter is null)
            {
                lease = step.Lease;
                check = _validateAfterIdleTicks != long.MaxValue;
            }
            else
            {
                // The wait lives in this method (not a nested async method): one state machine per
                // waited acquire instead of two. The delivery of the outcome releases what was armed.
                ArmWaiter(step.Waiter, Remaining(start, timeout), cancellationToken);
                lease = await step.Waiter.Task.ConfigureAwait(false);

                // A connection handed to a waiter comes straight from a return or a create: it was idle
                // for no time, so only "validate every borrow" (ValidateAfterIdle = 0) can apply, and
                // the clock is not read otherwise.
                check = _validateAfterIdleTicks <= 0;
            }

            long now = check ? _time.Now() : 0;
            if (!check || !NeedsCheck(lease, now) || await ValidateOnBorrowAsync(lease, cancellationToken).ConfigureAwait(false))
            {
                RecordLeaseSite(lease, site);
                Handed(lease, waitStart);
                return lease;
            }

            // The check failed: that connection is destroyed and the same acquire goes on, within its deadline.
            if (timeout != Timeout.InfiniteTimeSpan && Remaining(start, timeout) <= TimeSpan.Zero)
            {
                var seen = _state.AcquireTimedOut();
                _metrics.AcquireTimedOut();
                throw ExhaustedError(timeout, seen);
            }

            step = TakeOrQueue(now, timeout, out var error);
            if (error is not null)
            {
                throw error;
            }
        }
    }

    /// <summary>The wait start of an acquire that began while no listener wanted wait_time: its wait is not recorded.</summary>
    private const long NotTimed = long.MinValue;

    /// <summary>When an acquire that began at the pool's timestamp <paramref name="now"/> started waiting, on the metric clock; <see cref="NotTimed"/> while nobody listens.</summary>
    private long WaitStart(long now) => _metrics.TimesLeases ? _time.MetricNow(now) : NotTimed;

    /// <summary>
    /// A lease reaches its acquirer: wait_time is recorded and the lease stamped for use_time. The
    /// clock is read for that only while a listener wants either, so with none the fast path reads
    /// it once (the pool's own timestamp at the start) and records nothing. A wait that began before
    /// a listener came (<paramref name="waitStart"/> is <see cref="NotTimed"/>) is not recorded.
    /// </summary>
    private void Handed(in PooledConnection<TConnection> lease, long waitStart)
    {
        if (_metrics.TimesLeases)
        {
            long now = _time.MetricNow();
            lease.Entry!.StampUse(lease.LeaseId, now);
            if (waitStart != NotTimed)
            {
                _metrics.Waited(_time.MetricElapsed(waitStart, now));
            }
        }
    }

    private TimeSpan Remaining(long start, TimeSpan timeout) =>
        timeout == Timeout.InfiniteTimeSpan ? Timeout.InfiniteTimeSpan : timeout - _time.SurelyElapsedSince(start);

    private bool NeedsValidation(in PooledConnection<TConnection> lease, long now) =>
        _validateAfterIdleTicks != long.MaxValue && now - lease.Entry!.IdleSince > _validateAfterIdleTicks;

    /// <summary>
    /// Whether this lease is checked on borrow. A shared connection is checked only on its 0 → 1 lease
    /// out of idle, which the state machine holds for the check (no other lease is placed on it); when
    /// that lease needs no check after all, it is released here for other leases.
    /// </summary>
    private bool NeedsCheck(in PooledConnection<TConnection> lease, long now)
    {
        if (!_shares)
        {
            return NeedsValidation(lease, now);
        }

        if (lease.Entry!.CheckingLease != lease.LeaseId)
        {
            return false; // a lease beside others, or out of idle with no check due: never checked
        }

        if (NeedsValidation(lease, now))
        {
            return true;
        }

        CheckPassed(lease, now);
        return false;
    }

    /// <summary>A shared connection's 0 → 1 lease passed its check (or needed none): other leases may join it.</summary>
    private void CheckPassed(in PooledConnection<TConnection> lease, long now)
    {
        var work = default(PendingWork<TConnection>);
        _state.CheckPassed(lease.Entry!, lease.LeaseId, now, ref work);
        RunAfterLock(ref work);
    }

    /// <summary>Stacks captured for leak detection so far (a test seam: the capture is the cost to avoid).</summary>
    internal long LeaseStacksCaptured => _leaseSites?.Captured ?? 0;

    /// <summary>Leak detection: attaches the acquirer's stack, when its acquire was sampled, to the lease it now holds.</summary>
    private void RecordLeaseSite(in PooledConnection<TConnection> lease, StackTrace? site)
    {
        if (site is not null)
        {
            _state.AttachLeaseSite(lease.Entry!, lease.LeaseId, site);
        }
    }

    private PoolExhaustedException ExhaustedError(TimeSpan timeout, in PoolStatistics seen) => new(
        $"Timed out after {timeout} waiting for a connection from pool '{Name}' "
        + $"(MaxSize={seen.MaxSize}, AcquireTimeout={_options.AcquireTimeout}; at the timeout InUse={seen.InUse}, "
        + $"Creating={seen.Creating}, Waiters={seen.Waiters}). Raise MaxSize or the timeout, or return connections sooner.");

    /// <summary>
    /// Ends a lease: the connection goes to the oldest waiter or to idle, or is destroyed when it was
    /// invalidated, cleared, expired, surplus after a shrink, or the pool is disposed.
    /// </summary>
    internal void Return(ConnectionEntry<TConnection> entry, long leaseId, DestroyReason? forced = null)
    {
        if (!entry.TryEndLease(leaseId, out bool invalidated))
        {
            return; // A second dispose of the same lease, or a stale copy of it: no-op (I7).
        }

        // Read outside the lock: a TimeProvider is user code (a fake one fires timers when read).
        long now = _time.Now();
        long? usedSince = entry.UsedSince(leaseId); // before the lock hands the slot to someone else
        var work = default(PendingWork<TConnection>);
        long leakedAt = _state.Return(entry, leaseId, invalidated, forced, now, ref work);

        RunAfterLock(ref work);
        if (usedSince is { } since)
        {
            _metrics.Used(_time.MetricElapsed(since, _time.MetricNow(now)));
        }

        if (leakedAt != 0)
        {
            PoolLog.LeakReturned(_logger, Name, _time.Elapsed(leakedAt, now));
        }
    }

    /// <summary>
    /// Arms a queued waiter's cancellation and deadline. Registered after enqueueing, outside the
    /// lock: a token already cancelled runs the callback right here, and the callback takes the lock.
    /// The waiter keeps both; whichever of this method and the outcome's delivery comes last releases them.
    /// </summary>
    /// <remarks>
    /// A TimeProvider that cannot make the deadline fails this acquire with its exception: the waiter
    /// leaves the queue first (no stranded waiter, no connection handed to a dead one).
    /// </remarks>
    private void ArmWaiter(Waiter<TConnection> waiter, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var registration = default(CancellationTokenRegistration);
        if (cancellationToken.CanBeCanceled)
        {
            // Unsafe: the callback only decides the waiter; what it starts (a create) runs in the pool's context.
            registration = cancellationToken.UnsafeRegister(
                static (state, token) =>
                {
                    var w = (Waiter<TConnection>)state!;
                    w.Pool!.OnWaiterCancelled(w, token);
                },
                waiter);
        }

        var deadline = timeout == Timeout.InfiniteTimeSpan || waiter.Task.IsCompleted ? null : ArmDeadline(waiter, timeout);
        waiter.Arm(deadline, registration);
    }

    /// <summary>The waiter's deadline timer, or null when the TimeProvider could not make one (the waiter then failed with its exception).</summary>
    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "The TimeProvider's exception is the acquire's outcome.")]
    private ITimer? ArmDeadline(Waiter<TConnection> waiter, TimeSpan timeout)
    {
        // One deadline per acquire, computed from its start (Commons POOL-418).
        try
        {
            return _time.CreateTimer(
                static state =>
                {
                    var w = (Waiter<TConnection>)state!;
                    w.Pool!.OnWaiterTimedOut(w);
                },
                waiter,
                timeout > TimeSpan.Zero ? timeout : TimeSpan.Zero,
                Timeout.InfiniteTimeSpan);
        }
        catch (Exception ex)
        {
            var work = default(PendingWork<TConnection>);
            if (_state.WaiterWithdrawn(waiter, ref work))
            {
                waiter.Fail(ex);
                waiter.Deliver();
                RunAfterLock(ref work);
            }

            return null; // else it was decided meanwhile: that outcome stands
        }
    }

    private void OnWaiterCancelled(Waiter<TConnection> waiter, CancellationToken token)
    {
        AssertNotUnderLock();
        var work = default(PendingWork<TConnection>);
        if (_state.WaiterCancelled(waiter, token, ref work))
        {
            RunAfterLock(ref work);
        }
    }

    private void OnWaiterTimedOut(Waiter<TConnection> waiter)
    {
        AssertNotUnderLock();
        var work = default(PendingWork<TConnection>);
        if (!_state.WaiterTimedOut(waiter, ref work, out var seen))
        {
            return; // Already granted or failed: that outcome stands.
        }

        // Decided already (removed from the queue); the message is built outside the lock.
        waiter.Fail(ExhaustedError(waiter.Timeout, seen));
        waiter.Deliver();
        RunAfterLock(ref work);
        _metrics.AcquireTimedOut();
    }
}
