namespace Pool.Internal;

/// <summary>
/// A delay on the pool's TimeProvider that ends early (without throwing) when a token is cancelled.
/// Built from ITimer and TaskCompletionSource because Task.Delay(TimeSpan, TimeProvider) is not
/// controlled by Coyote, while these are.
/// </summary>
internal static class TimerDelay
{
    public static async Task WaitAsync(TimeProvider time, TimeSpan delay, CancellationToken cancellationToken)
    {
        if (delay <= TimeSpan.Zero || cancellationToken.IsCancellationRequested)
        {
            return;
        }

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var registration = cancellationToken.Register(static s => ((TaskCompletionSource)s!).TrySetResult(), done);
        try
        {
            using var timer = time.CreateTimer(static s => ((TaskCompletionSource)s!).TrySetResult(), done, delay, Timeout.InfiniteTimeSpan);
            await done.Task.ConfigureAwait(false);
        }
        finally
        {
            // Unregister, not Dispose: Dispose would spin until a running callback finishes.
            registration.Unregister();
        }
    }
}
