using System.Diagnostics.CodeAnalysis;
using Pool.Internal;

namespace Pool;

public sealed partial class ConnectionPool<TConnection>
{
    /// <summary>
    /// Checks a connection that sat idle longer than ValidateAfterIdle, under ValidationTimeout.
    /// True: hand it out. False: the same acquire goes on (the check failed, threw or timed out, and
    /// the connection is or will be destroyed). The acquirer's cancellation throws at once, and dispose
    /// throws <see cref="ObjectDisposedException"/> at once; either way the connection stays with the
    /// check until ValidateAsync has returned (I11, I9).
    /// </summary>
    /// <remarks>
    /// One TaskCompletionSource takes whichever answer comes first (the check, the deadline, the
    /// acquirer's cancellation, dispose) and is awaited directly: Task.WhenAny over such a source
    /// completes on the real thread pool, which Coyote does not control (a false "deadlock" in exploration).
    /// </remarks>
    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "The TimeProvider's exception is the acquire's outcome, after the connection is destroyed.")]
    private async ValueTask<bool> ValidateOnBorrowAsync(PooledConnection<TConnection> lease, CancellationToken cancellationToken)
    {
        var check = new BorrowCheck<TConnection>(lease);
        try
        {
            check.Deadline = _time.CreateTimer(
                static state => ((BorrowCheck<TConnection>)state!).TimeOut(), check, _options.ValidationTimeout, Timeout.InfiniteTimeSpan);
        }
        catch (Exception)
        {
            // The TimeProvider could not arm ValidationTimeout: the check never started. Unjudged, the
            // connection counts as failed (I11) and the acquire fails with the provider's exception.
            check.Dispose();
            Return(lease.Entry!, lease.LeaseId, forced: DestroyReason.ValidationFailed);
            throw;
        }

        StartCheck(check);
        var registration = default(CancellationTokenRegistration);
        BorrowVerdict verdict;
        try
        {
            if (cancellationToken.CanBeCanceled)
            {
                registration = cancellationToken.Register(static state => ((BorrowCheck<TConnection>)state!).Decide(BorrowVerdict.Cancelled), check);
            }

            verdict = await check.Verdict.ConfigureAwait(false);
        }
        finally
        {
            // Unregister, not Dispose: Dispose would spin until a running callback finishes.
            registration.Unregister();
        }

        switch (verdict)
        {
            case BorrowVerdict.Valid when !_state.IsDisposed:
                if (_shares)
                {
                    CheckPassed(lease, _time.Now());
                }

                return true;
            case BorrowVerdict.Valid:
                // Checked after the call, under the lock that sets the flag: no acquire succeeds once dispose started (I9).
                Return(lease.Entry!, lease.LeaseId, forced: null); // destroyed: the pool is disposed
                throw PoolErrors.Disposed(Name, GetType());
            case BorrowVerdict.Invalid:
                Return(lease.Entry!, lease.LeaseId, forced: DestroyReason.ValidationFailed);
                return false;
            case BorrowVerdict.TimedOut:
                return false; // the check destroys the connection once ValidateAsync returns
            case BorrowVerdict.Cancelled:
                _state.AcquireCancelled();
                throw new OperationCanceledException(cancellationToken);
            default:
                throw PoolErrors.Disposed(Name, GetType());
        }
    }

    /// <summary>Arms the check's dispose registration, then starts ValidateAsync (inline until it first awaits).</summary>
    private void StartCheck(BorrowCheck<TConnection> check)
    {
        check.Disposing = _disposeCts.Token.Register(static state => ((BorrowCheck<TConnection>)state!).CancelForDispose(), check);
        _ = RunCheckAsync(check);
    }

    /// <summary>
    /// The check itself: it holds the connection until ValidateAsync returns (I11), then either
    /// reports its answer to the waiting acquirer, or, if the acquirer left, judges the connection
    /// itself: back to idle only if it answered true within ValidationTimeout, destroyed otherwise
    /// (or destroyed as disposed when the pool is).
    /// </summary>
    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "A ValidateAsync that throws counts as a failed check.")]
    private async Task RunCheckAsync(BorrowCheck<TConnection> check)
    {
        var entry = check.Lease.Entry!;
        bool valid = false;

        // Dispose that started before the check did: the factory is not called on this connection.
        bool disposedFirst = check.Verdict.IsCompletedSuccessfully && check.Verdict.Result == BorrowVerdict.Disposed;
        if (!disposedFirst)
        {
            entry.BeginCall(check.Lease.LeaseId);
            try
            {
                valid = await _factory.ValidateAsync(entry.Connection, check.Token).ConfigureAwait(false);
            }
            catch (Exception)
            {
                valid = false;
            }

            check.CallReturned();
            entry.EndCall();
        }
        else
        {
            check.CallReturned(); // no call was made: its deadline and dispose registration end now
        }

        if (!check.Decide(valid ? BorrowVerdict.Valid : BorrowVerdict.Invalid))
        {
            // The acquirer has left (cancelled, ValidationTimeout, dispose). Only an answer given in
            // time counts: an unjudged connection never goes back to idle with a fresh idle time.
            bool keep = valid && !check.TimedOut;
            Return(entry, check.Lease.LeaseId, forced: keep || disposedFirst ? null : DestroyReason.ValidationFailed);
        }

        check.Dispose();
    }
}
