using System.Diagnostics.CodeAnalysis;
using Pool.Internal;

namespace Pool;

public sealed partial class ConnectionPool<TConnection>
{
    private bool _lastCreateFailed; // guarded by _lock

    /// <summary>Starts a create whose slot is already reserved in Creating. The pool owns it, not an acquirer.</summary>
    private void StartCreate() => _ = Task.Run(CreateAsync);

    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "Any factory failure must free the slot and reach a waiter (I2).")]
    private async Task CreateAsync()
    {
        TConnection? connection = default;
        Exception? error = null;
        try
        {
            connection = await _factory.CreateAsync(_disposeCts.Token).ConfigureAwait(false);
            if (connection is null)
            {
                error = new InvalidOperationException("The connection factory returned null.");
            }
        }
        catch (Exception ex)
        {
            error = ex;
        }

        // The clock is read before taking the lock: a TimeProvider is user code and may run timers.
        long now = _time.GetTimestamp();
        var work = default(PendingWork<TConnection>);
        lock (_lock)
        {
            _creating--;
            if (error is null)
            {
                _created++;
                _lastCreateFailed = false;
                var entry = new ConnectionEntry<TConnection>(this, connection!, now);
                if (_disposed)
                {
                    _destroying++;
                    work.Destroy(entry); // I9: a create that finishes after dispose is destroyed.
                }
                else
                {
                    _idle.PushNewest(entry, now);
                }
            }
            else
            {
                _createFailures++;
                _lastCreateFailed = true;

                // I2: the slot is free again and the failure reaches exactly one caller, the oldest waiter.
                if (_waiters.TryDequeue(out var waiter))
                {
                    waiter.Fail(new ConnectionCreateException(
                        $"The pool '{Name}' could not create a connection: {error.Message}", error));
                    work.Deliver(waiter);
                }
            }

            Settle_NeedsLock(ref work);
            AssertInvariants_NeedsLock();
        }

        RunAfterLock(ref work);
    }
}
