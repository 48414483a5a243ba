namespace Pool.Internal;

/// <summary>Waiters that leave the queue without a connection: cancelled, timed out.</summary>
internal sealed partial class PoolState<TConnection>
{
    /// <summary>The waiter's token was cancelled: it leaves the queue with a cancellation (I5).</summary>
    /// <returns>False when the waiter was already decided (granted or failed): that outcome stands.</returns>
    public bool WaiterCancelled(Waiter<TConnection> waiter, CancellationToken token, ref PendingWork<TConnection> work)
    {
        lock (_lock)
        {
            if (!_waiters.Remove(waiter))
            {
                return false;
            }

            _counters.Cancelled++;
            waiter.Cancel(token);
            work.Deliver(waiter);
            Settle(ref work);
            AssertInvariants();
        }

        return true;
    }

    /// <summary>
    /// The waiter's deadline passed: it leaves the queue (I5). The caller decides and delivers its
    /// failure after the lock, with the message built from <paramref name="seen"/> (the counts at the timeout).
    /// </summary>
    /// <returns>False when the waiter was already decided: that outcome stands.</returns>
    public bool WaiterTimedOut(Waiter<TConnection> waiter, ref PendingWork<TConnection> work, out PoolStatistics seen)
    {
        lock (_lock)
        {
            if (!waiter.IsQueued)
            {
                seen = default;
                return false;
            }

            seen = SnapshotHeld();
            _waiters.Remove(waiter);
            _counters.TimedOut++;
            Settle(ref work);
            AssertInvariants();
        }

        return true;
    }

    /// <summary>
    /// The waiter's own set-up failed after it joined the queue (the TimeProvider could not make its
    /// deadline): it leaves the queue (I5), counted as neither cancelled nor timed out. The caller
    /// decides and delivers the failure after the lock.
    /// </summary>
    /// <returns>False when the waiter was already decided: that outcome stands.</returns>
    public bool WaiterWithdrawn(Waiter<TConnection> waiter, ref PendingWork<TConnection> work)
    {
        lock (_lock)
        {
            if (!_waiters.Remove(waiter))
            {
                return false;
            }

            Settle(ref work);
            AssertInvariants();
        }

        return true;
    }

    /// <summary>An acquire whose deadline passed while it validated connections that failed: counted as timed out.</summary>
    /// <returns>The counts at the timeout, for the message.</returns>
    public PoolStatistics AcquireTimedOut()
    {
        lock (_lock)
        {
            _counters.TimedOut++;
            return SnapshotHeld();
        }
    }
}
