using System.Diagnostics.CodeAnalysis;
using Pool.Internal;

namespace Pool;

public sealed partial class ConnectionPool<TConnection>
{
    /// <summary>
    /// Checks a connection that sat idle longer than ValidateAfterIdle, under ValidationTimeout.
    /// True: hand it out. False: it was destroyed (failed, threw or timed out). If the acquirer is
    /// cancelled meanwhile, the connection goes back unjudged and the cancellation is thrown.
    /// </summary>
    /// <remarks>
    /// One TaskCompletionSource takes whichever answer comes first (the check, the deadline, the
    /// acquirer's cancellation) and is awaited directly: Task.WhenAny over such a source completes on
    /// the real thread pool, which Coyote does not control (a false "deadlock" in exploration).
    /// </remarks>
    private async ValueTask<bool> ValidateOnBorrowAsync(PooledConnection<TConnection> lease, CancellationToken cancellationToken)
    {
        var entry = lease.Entry!;
        var outcome = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        bool valid;
        using (var check = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            var registration = cancellationToken.Register(static state => ((TaskCompletionSource<bool>)state!).TrySetResult(false), outcome);
            try
            {
                using var timer = _time.CreateTimer(
                    static state => ((TaskCompletionSource<bool>)state!).TrySetResult(false), outcome, _options.ValidationTimeout, Timeout.InfiniteTimeSpan);

                // A factory that ignores the token cannot hold the acquire past the deadline.
                var validation = ValidateIntoAsync(entry.Connection, outcome, check.Token);
                valid = await outcome.Task.ConfigureAwait(false);
                if (!validation.IsCompleted)
                {
                    CancelQuietly(check);
                }
            }
            finally
            {
                // Unregister, not Dispose: Dispose would spin until a running callback finishes.
                registration.Unregister();
            }
        }

        if (!valid && cancellationToken.IsCancellationRequested)
        {
            Return(entry, lease.LeaseId, forced: null);
            cancellationToken.ThrowIfCancellationRequested();
        }

        if (!valid)
        {
            Return(entry, lease.LeaseId, forced: DestroyReason.ValidationFailed);
        }

        return valid;
    }

    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "A ValidateAsync that throws counts as a failed check.")]
    private async Task ValidateIntoAsync(TConnection connection, TaskCompletionSource<bool> outcome, CancellationToken token)
    {
        try
        {
            outcome.TrySetResult(await _factory.ValidateAsync(connection, token).ConfigureAwait(false));
        }
        catch (Exception)
        {
            outcome.TrySetResult(false);
        }
    }

    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "A callback the factory registered must not break the acquire.")]
    private static void CancelQuietly(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (Exception)
        {
            // The factory's own cancellation callback threw; the check is abandoned either way.
        }
    }
}
