using Microsoft.Extensions.Logging;
using Pool.Internal;

namespace Pool;

public sealed partial class ConnectionPool<TConnection>
{
    /// <summary>
    /// Retires every connection that exists now: idle ones are destroyed at once, leased ones when
    /// they come back. Use it when the backend restarted. MinSize and waiters are refilled with new ones.
    /// </summary>
    public void Clear()
    {
        var work = default(PendingWork<TConnection>);
        _state.Clear(ref work);

        RunAfterLock(ref work);
    }

    /// <summary>
    /// Changes MaxSize while running. Lowering destroys surplus idle connections now and surplus
    /// leased ones as they come back, never failing a lease in use; raising serves waiters at once.
    /// </summary>
    /// <param name="maxSize">At least 1 and at least the current MinSize.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxSize"/> is out of range.</exception>
    public void SetMaxSize(int maxSize)
    {
        var work = default(PendingWork<TConnection>);
        _state.SetMaxSize(maxSize, ref work);
        RunAfterLock(ref work);
    }

    /// <summary>Changes MinSize while running; raising it starts background creates.</summary>
    /// <param name="minSize">Between 0 and the current MaxSize.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minSize"/> is out of range.</exception>
    public void SetMinSize(int minSize)
    {
        var work = default(PendingWork<TConnection>);
        _state.SetMinSize(minSize, ref work);
        RunAfterLock(ref work);
    }

    /// <summary>
    /// One maintenance pass: retires idle connections that expired, were cleared, or idled past
    /// IdleTimeout beyond MinSize (oldest first), reports leases held past LeakDetectionThreshold,
    /// and refills MinSize. The background timer calls it; tests call it directly.
    /// </summary>
    internal void RunMaintenance()
    {
        AssertNotUnderLock();
        long now = _time.Now();
        var work = default(PendingWork<TConnection>);
        List<(long LeasedAt, System.Diagnostics.StackTrace? Site)>? leaks = null;
        if (!_state.Maintain(now, ref work, ref leaks))
        {
            return;
        }

        RunAfterLock(ref work);
        foreach (var (leasedAt, site) in leaks ?? [])
        {
            _leaseSites!.LeakSuspected(); // from now on every acquire captures its stack: a repeat offender is shown

            // The stack is formatted here, when its leak is reported, and only if the warning is written.
            if (_logger.IsEnabled(LogLevel.Warning))
            {
                PoolLog.LeakSuspected(_logger, Name, _time.Elapsed(leasedAt, now), _options.LeakDetectionThreshold!.Value, LeaseSites.Format(site));
            }
        }
    }

    private ITimer? StartMaintenanceTimer()
    {
        var interval = MaintenanceInterval(_options);
        return interval == Timeout.InfiniteTimeSpan
            ? null
            : _time.CreateTimer(static state => ((ConnectionPool<TConnection>)state!).RunMaintenance(), this, interval, interval);
    }

    /// <summary>A quarter of the shortest period maintenance must notice, between 1 s and 30 s, unless set.</summary>
    internal static TimeSpan MaintenanceInterval(ConnectionPoolOptions options)
    {
        if (options.MaintenanceInterval is { } set)
        {
            return set;
        }

        var shortest = Timeout.InfiniteTimeSpan;
        foreach (var period in new[] { options.IdleTimeout, options.MaxLifetime, options.LeakDetectionThreshold ?? Timeout.InfiniteTimeSpan })
        {
            if (period != Timeout.InfiniteTimeSpan && (shortest == Timeout.InfiniteTimeSpan || period < shortest))
            {
                shortest = period;
            }
        }

        return shortest == Timeout.InfiniteTimeSpan
            ? Timeout.InfiniteTimeSpan
            : TimeSpan.FromTicks(Math.Clamp(shortest.Ticks / 4, TimeSpan.TicksPerSecond, 30 * TimeSpan.TicksPerSecond));
    }

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
        if (_state.RegisterWarmUp(warmUp, out bool registered) is { } refusal)
        {
            return Task.FromException(refusal.UnavailableCause is { } cause
                ? PoolErrors.Unavailable(Name, refusal.Failures, cause, RetryAfter(refusal.Probe, _time.Now()))
                : PoolErrors.Disposed(Name, GetType()));
        }

        if (!registered)
        {
            return Task.CompletedTask;
        }

        return cancellationToken.CanBeCanceled ? WaitWarmUpAsync(warmUp, cancellationToken) : warmUp.Task;
    }

    private async Task WaitWarmUpAsync(TaskCompletionSource warmUp, CancellationToken cancellationToken)
    {
        var registration = cancellationToken.Register(
            static state =>
            {
                var (pool, w, token) = ((ConnectionPool<TConnection>, TaskCompletionSource, CancellationToken))state!;
                pool._state.WarmUpCancelled(w);

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
}
