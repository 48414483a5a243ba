using Pool.Internal;

namespace Pool;

public sealed partial class ConnectionPool<TConnection>
{
    private ITimer? _maintenanceTimer; // set once in the constructor; disposed with the pool

    /// <summary>
    /// Retires every connection that exists now: idle ones are destroyed at once, leased ones when
    /// they come back. Use it when the backend restarted. MinSize and waiters are refilled with new ones.
    /// </summary>
    public void Clear()
    {
        var work = default(PendingWork<TConnection>);
        lock (_lock)
        {
            _generation++;
            while (_idle.TryPopNewest(out var entry))
            {
                Retire_NeedsLock(entry, DestroyReason.Cleared, ref work);
            }

            Settle_NeedsLock(ref work);
            AssertInvariants_NeedsLock();
        }

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
        lock (_lock)
        {
            if (maxSize < 1 || maxSize < _minSize)
            {
                throw new ArgumentOutOfRangeException(nameof(maxSize), maxSize, $"maxSize must be at least 1 and at least MinSize ({_minSize}).");
            }

            _maxSize = maxSize;
            _ceiling = Math.Max(_maxSize, Total_NeedsLock);
            while (_idle.Count + _inUse + _creating > _maxSize && _idle.Oldest is { } oldest)
            {
                _idle.Remove(oldest);
                Retire_NeedsLock(oldest, DestroyReason.Surplus, ref work);
            }

            Settle_NeedsLock(ref work);
            AssertInvariants_NeedsLock();
        }

        RunAfterLock(ref work);
    }

    /// <summary>Changes MinSize while running; raising it starts background creates.</summary>
    /// <param name="minSize">Between 0 and the current MaxSize.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minSize"/> is out of range.</exception>
    public void SetMinSize(int minSize)
    {
        var work = default(PendingWork<TConnection>);
        lock (_lock)
        {
            if (minSize < 0 || minSize > _maxSize)
            {
                throw new ArgumentOutOfRangeException(nameof(minSize), minSize, $"minSize must be between 0 and MaxSize ({_maxSize}).");
            }

            _minSize = minSize;
            Settle_NeedsLock(ref work);
            AssertInvariants_NeedsLock();
        }

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
        long now = _time.GetTimestamp();
        var work = default(PendingWork<TConnection>);
        List<(long LeasedAt, string Site)>? leaks = null;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            var entry = _idle.Oldest;
            while (entry is not null)
            {
                var newer = entry.Newer;
                DestroyReason? reason = entry.Generation != _generation ? DestroyReason.Cleared
                    : now >= entry.ExpiresAt ? DestroyReason.Expired
                    : now - entry.IdleSince >= _idleTimeoutTicks && _idle.Count + _inUse > _minSize ? DestroyReason.Idle
                    : null;
                if (reason is { } why)
                {
                    _idle.Remove(entry);
                    Retire_NeedsLock(entry, why, ref work);
                }

                entry = newer;
            }

            if (_options.LeakDetectionThreshold is not null)
            {
                foreach (var leased in _leased)
                {
                    if (!leased.LeakReported && leased.LeaseSite is not null && now - leased.LeasedAt >= _leakThresholdTicks)
                    {
                        leased.LeakReported = true;
                        (leaks ??= []).Add((leased.LeasedAt, leased.LeaseSite));
                    }
                }
            }

            Settle_NeedsLock(ref work);
            AssertInvariants_NeedsLock();
        }

        RunAfterLock(ref work);
        foreach (var (leasedAt, site) in leaks ?? [])
        {
            PoolLog.LeakSuspected(_logger, Name, _time.GetElapsedTime(leasedAt, now), _options.LeakDetectionThreshold!.Value, site);
        }
    }

    private void StartMaintenanceTimer()
    {
        var interval = MaintenanceInterval(_options);
        if (interval == Timeout.InfiniteTimeSpan)
        {
            return;
        }

        var timer = _time.CreateTimer(static state => ((ConnectionPool<TConnection>)state!).RunMaintenance(), this, interval, interval);
        bool disposed;
        lock (_lock)
        {
            disposed = _disposed;
            _maintenanceTimer = timer;
        }

        if (disposed)
        {
            timer.Dispose();
        }
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
}
