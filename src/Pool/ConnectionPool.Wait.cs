using Pool.Internal;

namespace Pool;

public sealed partial class ConnectionPool<TConnection>
{
    /// <summary>
    /// Arms a queued waiter's cancellation and deadline. Registered after enqueueing, outside the
    /// lock: a token already cancelled runs the callback right here, and the callback takes the lock.
    /// </summary>
    /// <returns>The deadline timer, or null when the wait has no timeout or is already decided.</returns>
    private ITimer? ArmWaiter(Waiter<TConnection> waiter, TimeSpan timeout, CancellationToken cancellationToken, ref CancellationTokenRegistration registration)
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

        if (timeout == Timeout.InfiniteTimeSpan || waiter.Task.IsCompleted)
        {
            return null;
        }

        // One deadline per acquire, computed from its start (Commons POOL-418).
        return _time.CreateTimer(
            static state =>
            {
                var w = (Waiter<TConnection>)state!;
                w.Pool.OnWaiterTimedOut(w);
            },
            waiter,
            timeout > TimeSpan.Zero ? timeout : TimeSpan.Zero,
            Timeout.InfiniteTimeSpan);
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

        // Decided already (removed from the queue); the message is built outside the lock.
        waiter.Fail(ExhaustedError(waiter.Timeout, seen));
        waiter.Deliver();
        RunAfterLock(ref work);
        _metrics.AcquireTimedOut();
    }
}
