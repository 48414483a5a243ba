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
    /// Leases an idle connection if one is ready now. Never waits and never creates: when it returns
    /// false, nothing in the pool changed.
    /// </summary>
    /// <param name="lease">The lease, when the result is true.</param>
    /// <returns>True if an idle connection was leased.</returns>
    /// <exception cref="ObjectDisposedException">The pool is disposed.</exception>
    public bool TryAcquire(out PooledConnection<TConnection> lease)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_idle.TryPopNewest(out var entry))
            {
                lease = Lease_NeedsLock(entry);
                AssertInvariants_NeedsLock();
                return true;
            }
        }

        lease = default;
        return false;
    }

    private ValueTask<PooledConnection<TConnection>> AcquireCoreAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<PooledConnection<TConnection>>(cancellationToken);
        }

        var work = default(PendingWork<TConnection>);
        Waiter<TConnection> waiter;
        lock (_lock)
        {
            if (_disposed)
            {
                return ValueTask.FromException<PooledConnection<TConnection>>(DisposedException());
            }

            // The queue is empty whenever a connection is idle (I4), so this never jumps the queue.
            if (_idle.TryPopNewest(out var entry))
            {
                var lease = Lease_NeedsLock(entry);
                AssertInvariants_NeedsLock();
                return new ValueTask<PooledConnection<TConnection>>(lease);
            }

            // Enqueue under the same lock that returns connections: no wake-up can be lost (I4).
            waiter = new Waiter<TConnection>(this);
            _waiters.Enqueue(waiter);
            Settle_NeedsLock(ref work);
            AssertInvariants_NeedsLock();
        }

        RunAfterLock(ref work);
        return WaitAsync(waiter, timeout, cancellationToken);
    }

    private PooledConnection<TConnection> Lease_NeedsLock(ConnectionEntry<TConnection> entry)
    {
        _inUse++;
        _acquired++;
        return new PooledConnection<TConnection>(entry, entry.BeginLease_NeedsLock());
    }

    private async ValueTask<PooledConnection<TConnection>> WaitAsync(
        Waiter<TConnection> waiter, TimeSpan timeout, CancellationToken cancellationToken)
    {
        // Registered after enqueueing, outside the lock: a token already cancelled runs the callback
        // right here, which takes the lock itself.
        CancellationTokenRegistration registration = default;
        ITimer? timer = null;
        try
        {
            if (cancellationToken.CanBeCanceled)
            {
                registration = cancellationToken.Register(
                    static (state, token) =>
                    {
                        var w = (Waiter<TConnection>)state!;
                        w.Pool.OnWaiterCancelled(w, token);
                    },
                    waiter);
            }

            if (timeout != Timeout.InfiniteTimeSpan && !waiter.Task.IsCompleted)
            {
                // One deadline, started once per acquire (Commons POOL-418).
                waiter.Timeout = timeout;
                timer = _time.CreateTimer(
                    static state =>
                    {
                        var w = (Waiter<TConnection>)state!;
                        w.Pool.OnWaiterTimedOut(w);
                    },
                    waiter,
                    timeout,
                    Timeout.InfiniteTimeSpan);
            }

            return await waiter.Task.ConfigureAwait(false);
        }
        finally
        {
            registration.Unregister();
            timer?.Dispose();
        }
    }

    private void OnWaiterCancelled(Waiter<TConnection> waiter, CancellationToken token)
    {
        AssertNotUnderLock();
        var work = default(PendingWork<TConnection>);
        lock (_lock)
        {
            if (!_waiters.Remove(waiter))
            {
                return; // Already granted or failed: that outcome stands.
            }

            _cancelled++;
            waiter.Cancel(token);
            work.Deliver(waiter);
            Settle_NeedsLock(ref work);
            AssertInvariants_NeedsLock();
        }

        RunAfterLock(ref work);
    }

    private void OnWaiterTimedOut(Waiter<TConnection> waiter)
    {
        AssertNotUnderLock();
        var work = default(PendingWork<TConnection>);
        PoolStatistics seen;
        lock (_lock)
        {
            if (!waiter.IsQueued)
            {
                return;
            }

            seen = Snapshot_NeedsLock();
            _waiters.Remove(waiter);
            _timedOut++;
            Settle_NeedsLock(ref work);
            AssertInvariants_NeedsLock();
        }

        // The message is built outside the lock; the waiter is decided already (removed from the queue).
        waiter.Fail(new PoolExhaustedException(
            $"Timed out after {waiter.Timeout} waiting for a connection from pool '{Name}' "
            + $"(MaxSize={seen.MaxSize}, AcquireTimeout={_options.AcquireTimeout}; at the timeout InUse={seen.InUse}, "
            + $"Creating={seen.Creating}, Waiters={seen.Waiters}). Raise MaxSize or the timeout, or return connections sooner."));
        waiter.Deliver();
        RunAfterLock(ref work);
    }

    private ObjectDisposedException DisposedException() =>
        new(GetType().FullName, $"The connection pool '{Name}' has been disposed.");
}
