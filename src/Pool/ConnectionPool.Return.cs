using System.Diagnostics.CodeAnalysis;
using Pool.Internal;

namespace Pool;

public sealed partial class ConnectionPool<TConnection>
{
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
        long now = _time.GetTimestamp();
        long? usedSince = entry.UsedSince; // before the lock hands the entry to someone else
        var work = default(PendingWork<TConnection>);
        long leakedAt = 0;
        lock (_lock)
        {
            _inUse--;
            if (_leased.Remove(entry) && entry.LeakReported)
            {
                leakedAt = entry.LeasedAt;
            }

            DestroyReason? reason = forced
                ?? (invalidated ? DestroyReason.Invalidated
                : _disposed ? DestroyReason.Disposed
                : entry.Generation != _generation ? DestroyReason.Cleared
                : now >= entry.ExpiresAt ? DestroyReason.Expired
                : Total_NeedsLock >= _maxSize ? DestroyReason.Surplus
                : null);
            if (reason is { } why)
            {
                Retire_NeedsLock(entry, why, ref work);
            }
            else
            {
                _idle.PushNewest(entry, now);
            }

            Settle_NeedsLock(ref work);
            AssertInvariants_NeedsLock();
        }

        RunAfterLock(ref work);
        if (usedSince is { } since)
        {
            _metrics.Used(Elapsed(since, now));
        }

        if (leakedAt != 0)
        {
            PoolLog.LeakReturned(_logger, Name, _time.GetElapsedTime(leakedAt, now));
        }
    }

    /// <summary>
    /// Destroys a connection whose slot is already counted in Destroying, then frees the slot.
    /// Runs inline until the factory's destroy first awaits; never throws.
    /// </summary>
    internal void StartDestroy(ConnectionEntry<TConnection> entry)
    {
        _metrics.Destroyed(entry.RetiredFor);
        PoolLog.Evicted(_logger, Name, entry.RetiredFor);
        _ = DestroyAsync(entry, late: false);
    }

    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "A throwing destroy is counted and must never break the pool.")]
    private async Task DestroyAsync(ConnectionEntry<TConnection> entry, bool late)
    {
        Exception? failure = null;
        try
        {
            await _factory.DestroyAsync(entry.Connection).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            failure = ex;
        }

        var work = default(PendingWork<TConnection>);
        lock (_lock)
        {
            if (late)
            {
                _abandoned--; // a late connection never held a slot (its create was abandoned), so it frees none
            }
            else
            {
                _destroying--;
                _destroyed++;
            }

            if (failure is not null)
            {
                _destroyFailures++;
            }

            Settle_NeedsLock(ref work);
            AssertInvariants_NeedsLock();
        }

        RunAfterLock(ref work);
        if (failure is not null)
        {
            PoolLog.DestroyFailed(_logger, Name, failure);
        }
    }
}
