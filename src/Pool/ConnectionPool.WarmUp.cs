using Pool.Internal;

namespace Pool;

public sealed partial class ConnectionPool<TConnection>
{
    /// <summary>
    /// Completes when the pool holds at least MinSize open connections (idle or in use). The pool
    /// fills itself in the background anyway; this lets start-up code wait for it.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting (the background fill goes on).</param>
    /// <returns>A task that completes when MinSize connections are open.</returns>
    /// <exception cref="PoolUnavailableException">The fast-fail window opened: the backend is down.</exception>
    /// <exception cref="ObjectDisposedException">The pool was disposed.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled first.</exception>
    public Task WarmUpAsync(CancellationToken cancellationToken = default)
    {
        var warmUp = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Exception? error = null;
        lock (_lock)
        {
            if (_disposed)
            {
                error = PoolErrors.Disposed(Name, GetType());
            }
            else if (_unavailable)
            {
                error = PoolErrors.Unavailable(Name, _consecutiveFailures, _lastCreateError!);
            }
            else if (_idle.Count + _inUse >= _minSize)
            {
                return Task.CompletedTask;
            }
            else
            {
                (_warmUps ??= []).Add(warmUp);
            }
        }

        if (error is not null)
        {
            return Task.FromException(error);
        }

        return cancellationToken.CanBeCanceled ? WaitWarmUpAsync(warmUp, cancellationToken) : warmUp.Task;
    }

    private async Task WaitWarmUpAsync(TaskCompletionSource warmUp, CancellationToken cancellationToken)
    {
        var registration = cancellationToken.Register(
            static state =>
            {
                var (pool, w, token) = ((ConnectionPool<TConnection>, TaskCompletionSource, CancellationToken))state!;
                lock (pool._lock)
                {
                    pool._warmUps?.Remove(w);
                }

                w.TrySetCanceled(token);
            },
            (this, warmUp, cancellationToken));
        try
        {
            await warmUp.Task.ConfigureAwait(false);
        }
        finally
        {
            registration.Unregister();
        }
    }

    // Called by every Settle: the lambdas live in separate methods so that the closure they capture
    // is allocated only when warm-up waiters are actually completed, never on the hot path.
    private void CompleteWarmUps_NeedsLock(ref PendingWork<TConnection> work)
    {
        if (_warmUps is { Count: > 0 } && _idle.Count + _inUse >= _minSize)
        {
            work.Later(CompleteLater(_warmUps));
            _warmUps = null;
        }
    }

    private void FailWarmUps_NeedsLock(Func<Exception> error, ref PendingWork<TConnection> work)
    {
        if (_warmUps is { Count: > 0 })
        {
            work.Later(FailLater(_warmUps, error));
            _warmUps = null;
        }
    }

    private static Action CompleteLater(List<TaskCompletionSource> warmUps) => () => warmUps.ForEach(w => w.TrySetResult());

    private static Action FailLater(List<TaskCompletionSource> warmUps, Func<Exception> error) => () => warmUps.ForEach(w => w.TrySetException(error()));
}
