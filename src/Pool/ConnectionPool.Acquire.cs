using System.Diagnostics;
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
        string? site = CaptureLeaseSite();
        long now = _time.GetTimestamp();
        var work = default(PendingWork<TConnection>);
        lease = default;
        bool disposed;
        lock (_lock)
        {
            disposed = _disposed;
            if (!disposed && TryTakeIdle_NeedsLock(now, ref work, out var entry))
            {
                lease = new PooledConnection<TConnection>(entry, BeginLease_NeedsLock(entry, site, now));
            }

            Settle_NeedsLock(ref work);
            AssertInvariants_NeedsLock();
        }

        RunAfterLock(ref work);
        ObjectDisposedException.ThrowIf(disposed, this);
        if (lease.Entry is null)
        {
            return false;
        }

        Handed(lease, now);
        return true;
    }

    private ValueTask<PooledConnection<TConnection>> AcquireCoreAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<PooledConnection<TConnection>>(cancellationToken);
        }

        string? site = CaptureLeaseSite();
        long start = _time.GetTimestamp();
        var step = TakeOrQueue(start, site, timeout);
        if (step.Error is not null)
        {
            return ValueTask.FromException<PooledConnection<TConnection>>(step.Error);
        }

        if (step.Waiter is null && !NeedsValidation(step.Lease, start))
        {
            Handed(step.Lease, start);
            return new ValueTask<PooledConnection<TConnection>>(step.Lease); // the allocation-free path
        }

        return AcquireSlowAsync(step, start, timeout, site, cancellationToken);
    }

    /// <summary>One locked attempt: take an idle connection, fail fast, or join the queue.</summary>
    private AcquireStep TakeOrQueue(long now, string? site, TimeSpan timeout)
    {
        var work = default(PendingWork<TConnection>);
        var step = default(AcquireStep);
        bool disposed = false;
        Exception? cause = null;
        int failures = 0;
        lock (_lock)
        {
            if (_disposed)
            {
                disposed = true;
            }
            else if (TryTakeIdle_NeedsLock(now, ref work, out var entry))
            {
                // The queue is empty whenever a connection is idle (I4), so this never jumps the queue.
                step.Lease = new PooledConnection<TConnection>(entry, BeginLease_NeedsLock(entry, site, now));
            }
            else if (_unavailable)
            {
                _failedFast++;
                cause = _lastCreateError;
                failures = _consecutiveFailures;
            }
            else
            {
                // Enqueued under the same lock that returns connections: no wake-up can be lost (I4).
                step.Waiter = new Waiter<TConnection>(this, site) { Timeout = timeout };
                _waiters.Enqueue(step.Waiter);
            }

            Settle_NeedsLock(ref work);
            AssertInvariants_NeedsLock();
        }

        RunAfterLock(ref work);
        if (disposed)
        {
            step.Error = PoolErrors.Disposed(Name, GetType());
        }
        else if (cause is not null)
        {
            step.Error = PoolErrors.Unavailable(Name, failures, cause);
        }

        return step;
    }

    /// <summary>Pops the newest idle connection, retiring expired or cleared ones on the way.</summary>
    private bool TryTakeIdle_NeedsLock(long now, ref PendingWork<TConnection> work, out ConnectionEntry<TConnection> entry)
    {
        while (_idle.TryPopNewest(out entry))
        {
            if (entry.Generation != _generation)
            {
                Retire_NeedsLock(entry, DestroyReason.Cleared, ref work);
            }
            else if (now >= entry.ExpiresAt)
            {
                Retire_NeedsLock(entry, DestroyReason.Expired, ref work);
            }
            else
            {
                return true;
            }
        }

        return false;
    }

    private async ValueTask<PooledConnection<TConnection>> AcquireSlowAsync(
        AcquireStep step, long start, TimeSpan timeout, string? site, CancellationToken cancellationToken)
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
                // waited acquire instead of two, measured on the hand-off benchmark.
                var registration = default(CancellationTokenRegistration);
                ITimer? timer = null;
                try
                {
                    timer = ArmWaiter(step.Waiter, Remaining(start, timeout), cancellationToken, ref registration);
                    lease = await step.Waiter.Task.ConfigureAwait(false);
                }
                finally
                {
                    // Unregister, not Dispose: Dispose would spin until a running callback finishes.
                    registration.Unregister();
                    timer?.Dispose();
                }

                // A connection handed to a waiter comes straight from a return or a create: it was idle
                // for no time, so only "validate every borrow" (ValidateAfterIdle = 0) can apply, and
                // the clock is not read otherwise.
                check = _validateAfterIdleTicks == 0;
            }

            long now = check ? _time.GetTimestamp() : 0;
            if (!check || !NeedsValidation(lease, now) || await ValidateOnBorrowAsync(lease, cancellationToken).ConfigureAwait(false))
            {
                Handed(lease, start);
                return lease;
            }

            // The check failed: that connection is destroyed and the same acquire goes on, within its deadline.
            if (timeout != Timeout.InfiniteTimeSpan && Remaining(start, timeout) <= TimeSpan.Zero)
            {
                lock (_lock)
                {
                    _timedOut++;
                }

                _metrics.AcquireTimedOut();
                throw ExhaustedError(timeout, GetStatistics());
            }

            step = TakeOrQueue(now, site, timeout);
            if (step.Error is not null)
            {
                throw step.Error;
            }
        }
    }

    /// <summary>
    /// A lease reaches its acquirer: wait_time is recorded and the lease stamped for use_time. The
    /// clock is read once more for that only while a listener wants either, so with none the fast
    /// path reads it once (at the start) and records nothing.
    /// </summary>
    private void Handed(in PooledConnection<TConnection> lease, long start)
    {
        if (_metrics.TimesLeases)
        {
            long now = _time.GetTimestamp();
            lease.Entry!.UsedSince = now;
            _metrics.Waited(Elapsed(start, now));
        }
    }

    private TimeSpan Remaining(long start, TimeSpan timeout) =>
        timeout == Timeout.InfiniteTimeSpan ? Timeout.InfiniteTimeSpan : timeout - _time.GetElapsedTime(start);

    private bool NeedsValidation(in PooledConnection<TConnection> lease, long now) =>
        _validateAfterIdleTicks != long.MaxValue && now - lease.Entry!.IdleSince > _validateAfterIdleTicks;

    private string? CaptureLeaseSite() =>
        _options.LeakDetectionThreshold is null ? null : new StackTrace(2, fNeedFileInfo: true).ToString();

    private PoolExhaustedException ExhaustedError(TimeSpan timeout, in PoolStatistics seen) => new(
        $"Timed out after {timeout} waiting for a connection from pool '{Name}' "
        + $"(MaxSize={seen.MaxSize}, AcquireTimeout={_options.AcquireTimeout}; at the timeout InUse={seen.InUse}, "
        + $"Creating={seen.Creating}, Waiters={seen.Waiters}). Raise MaxSize or the timeout, or return connections sooner.");

    private struct AcquireStep
    {
        public PooledConnection<TConnection> Lease;
        public Waiter<TConnection>? Waiter;
        public Exception? Error;
    }
}
