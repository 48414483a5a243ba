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
    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "A ValidateAsync that throws counts as a failed check.")]
    private async ValueTask<bool> ValidateOnBorrowAsync(PooledConnection<TConnection> lease, CancellationToken cancellationToken)
    {
        var entry = lease.Entry!;
        bool valid = false;
        using (var check = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            // Ends the wait at the deadline or when the acquirer gives up, even if the factory ignores its token.
            var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var registration = cancellationToken.Register(static state => ((TaskCompletionSource)state!).TrySetResult(), stop);
            using var timer = _time.CreateTimer(
                static state => ((TaskCompletionSource)state!).TrySetResult(), stop, _options.ValidationTimeout, Timeout.InfiniteTimeSpan);
            try
            {
                // A factory that ignores the token cannot hold the acquire past the deadline.
                var validation = _factory.ValidateAsync(entry.Connection, check.Token).AsTask();
                var first = await Task.WhenAny(validation, stop.Task).ConfigureAwait(false);
                valid = first == validation && validation.IsCompletedSuccessfully && validation.Result;
                if (first != validation)
                {
                    check.Cancel();
                }
            }
            catch (Exception)
            {
                valid = false;
            }
            finally
            {
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
}
