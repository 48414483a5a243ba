using System.Diagnostics.CodeAnalysis;
using Pool.Internal;

namespace Pool;

public sealed partial class ConnectionPool<TConnection>
{
    /// <summary>Ends a lease: the connection goes to the oldest waiter, to idle, or is destroyed.</summary>
    internal void Return(ConnectionEntry<TConnection> entry, long leaseId)
    {
        if (!entry.TryEndLease(leaseId, out bool invalidated))
        {
            return; // A second dispose of the same lease, or a stale copy of it: no-op (I7).
        }

        // Read outside the lock: a TimeProvider is user code (a fake one fires timers when read).
        long now = _time.GetTimestamp();
        var work = default(PendingWork<TConnection>);
        lock (_lock)
        {
            _inUse--;
            if (invalidated || _disposed)
            {
                _destroying++;
                work.Destroy(entry);
            }
            else
            {
                _idle.PushNewest(entry, now);
            }

            Settle_NeedsLock(ref work);
            AssertInvariants_NeedsLock();
        }

        RunAfterLock(ref work);
    }

    /// <summary>
    /// Destroys a connection whose slot is already counted in Destroying, then frees the slot.
    /// Runs inline until the factory's destroy first awaits; never throws.
    /// </summary>
    internal void StartDestroy(ConnectionEntry<TConnection> entry) => _ = DestroyAsync(entry);

    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "A throwing destroy is counted and must never break the pool.")]
    private async Task DestroyAsync(ConnectionEntry<TConnection> entry)
    {
        bool failed = false;
        try
        {
            await _factory.DestroyAsync(entry.Connection).ConfigureAwait(false);
        }
        catch (Exception)
        {
            failed = true;
        }

        var work = default(PendingWork<TConnection>);
        lock (_lock)
        {
            _destroying--;
            _destroyed++;
            if (failed)
            {
                _destroyFailures++;
            }

            Settle_NeedsLock(ref work);
            AssertInvariants_NeedsLock();
        }

        RunAfterLock(ref work);
    }
}
