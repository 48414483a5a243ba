using System.Diagnostics.CodeAnalysis;
using Pool.Internal;

namespace Pool;

public sealed partial class ConnectionPool<TConnection>
{
    /// <summary>
    /// Disposes the pool: new acquires fail, waiters fail with <see cref="ObjectDisposedException"/>,
    /// idle connections are destroyed, leased ones are destroyed when returned and creates in flight
    /// when they finish. Completes when all of that is done, or after
    /// <see cref="ConnectionPoolOptions.DisposeTimeout"/>. Safe to call more than once.
    /// </summary>
    /// <returns>A task that completes when the pool is drained or the dispose timeout passed.</returns>
    public ValueTask DisposeAsync()
    {
        var work = default(PendingWork<TConnection>);
        bool first = _state.Dispose(ref work, out var drained);
        if (first)
        {
            GuardedClock.Dispose(_maintenanceTimer);
            CancelCreates();
        }

        RunAfterLock(ref work);
        if (first)
        {
            // After the idle connections' destroys started (they are counted); the pool's gauges end here.
            _metrics.Dispose();
        }

        if (drained.IsCompleted || _options.DisposeTimeout == Timeout.InfiniteTimeSpan)
        {
            return new ValueTask(drained);
        }

        return WaitForDrainAsync(drained);
    }

    /// <summary>
    /// Disposes the pool as <see cref="DisposeAsync"/> does, blocking the calling thread until the pool
    /// is drained or <see cref="ConnectionPoolOptions.DisposeTimeout"/> passed. Prefer
    /// <see cref="DisposeAsync"/>; this serves callers that can only dispose synchronously (a
    /// <c>using</c> statement, <c>ServiceProvider.Dispose()</c>). The pool never needs the calling
    /// thread to drain: the dispose itself runs on the thread pool, so no factory call (a
    /// <c>DestroyAsync</c> that awaits without <c>ConfigureAwait(false)</c>) starts on the caller's
    /// <see cref="SynchronizationContext"/> (a UI thread, classic ASP.NET), which is blocked here.
    /// </summary>
    public void Dispose()
    {
        // Task.Run, not inline: an inline destroy would capture the caller's context and post its
        // continuation to the thread this method blocks (a deadlock until DisposeTimeout, or forever).
        Task disposing;
        using (PoolOwnedWork.SuppressFlow())
        {
            disposing = Task.Run(() => DisposeAsync().AsTask());
        }

        disposing.GetAwaiter().GetResult();
    }

    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "A factory's cancellation callback must not break dispose.")]
    private void CancelCreates()
    {
        try
        {
            _disposeCts.Cancel();
        }
        catch (Exception)
        {
            // A callback the factory registered threw; the creates still end and are destroyed.
        }
    }

    private async ValueTask WaitForDrainAsync(Task drained)
    {
        // One source for "drained" and "timed out", awaited directly (see ValidateOnBorrowAsync:
        // Task.WhenAny over a RunContinuationsAsynchronously source escapes Coyote's control).
        // A TimeProvider that cannot arm DisposeTimeout fails this wait (the pool is disposed already).
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var timer = _time.CreateTimer(
            static state => ((TaskCompletionSource)state!).TrySetResult(),
            done,
            _options.DisposeTimeout,
            Timeout.InfiniteTimeSpan);
        try
        {
            _ = SignalWhenDrainedAsync(drained, done);
            await done.Task.ConfigureAwait(false);
        }
        finally
        {
            GuardedClock.Dispose(timer);
        }
    }

    private static async Task SignalWhenDrainedAsync(Task drained, TaskCompletionSource done)
    {
        await drained.ConfigureAwait(false);
        done.TrySetResult();
    }
}
