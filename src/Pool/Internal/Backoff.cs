using System.Diagnostics.CodeAnalysis;

namespace Pool.Internal;

/// <summary>
/// Exponential backoff: the cap min(max, initial · 2^(failures−1)); the pool waits a random part of it
/// (full jitter). The pause runs on the pool's TimeProvider through ITimer and a TaskCompletionSource,
/// both controlled by Coyote (Task.Delay with a TimeProvider is not), and reads no wall clock.
/// </summary>
internal static class Backoff
{
    public static TimeSpan Cap(int failures, TimeSpan initial, TimeSpan max)
    {
        if (failures <= 0 || initial <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }

        // 2^30 · 1 tick already exceeds any allowed maximum, so the shift never overflows.
        int doublings = Math.Min(failures - 1, 30);
        double ticks = Math.Min(initial.Ticks * Math.Pow(2, doublings), max.Ticks);
        return TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>
    /// Waits <paramref name="delay"/> on the pool's clock; ends early, without throwing, when the token
    /// is cancelled, and at once when the TimeProvider cannot make the timer (the create goes on: a
    /// reserved create must end, and with CreateTimeout set, it fails on that provider's timer anyway).
    /// </summary>
    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "A throwing TimeProvider must not strand a reserved create.")]
    public static async Task PauseAsync(GuardedClock time, TimeSpan delay, CancellationToken cancellationToken)
    {
        if (delay <= TimeSpan.Zero || cancellationToken.IsCancellationRequested)
        {
            return;
        }

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var registration = cancellationToken.Register(static s => ((TaskCompletionSource)s!).TrySetResult(), done);
        ITimer? timer = null;
        try
        {
            timer = time.CreateTimer(static s => ((TaskCompletionSource)s!).TrySetResult(), done, delay, Timeout.InfiniteTimeSpan);
            await done.Task.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Only CreateTimer can throw here: the pause ends now.
        }
        finally
        {
            GuardedClock.Dispose(timer);

            // Unregister, not Dispose: Dispose would spin until a running callback finishes.
            registration.Unregister();
        }
    }
}
