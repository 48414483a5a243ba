namespace Pool.Internal;

/// <summary>The pool's lifecycle: clear, resize, the maintenance pass, warm-up and dispose.</summary>
internal sealed partial class PoolState<TConnection>
{
    /// <summary>Retires every connection that exists now: idle ones at once, leased and creating ones when they come back (shared ones take no new lease meanwhile).</summary>
    public void Clear(ref PendingWork<TConnection> work)
    {
        lock (_lock)
        {
            _generation++;
            while (PopNewestIdle() is { } entry)
            {
                Retire(entry, DestroyReason.Cleared, ref work);
            }

            DrainAllHolding(DestroyReason.Cleared);

            Settle(ref work);
            AssertInvariants();
        }
    }

    /// <summary>Changes MaxSize: surplus idle connections (oldest first) are retired now, surplus leases when they return.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxSize"/> is below 1 or below MinSize; nothing changed.</exception>
    public void SetMaxSize(int maxSize, ref PendingWork<TConnection> work)
    {
        lock (_lock)
        {
            if (maxSize < 1 || maxSize < _minSize)
            {
                throw new ArgumentOutOfRangeException(nameof(maxSize), maxSize, $"maxSize must be at least 1 and at least MinSize ({_minSize}).");
            }

            _maxSize = maxSize;
            _ceiling = Math.Max(_maxSize, CeilingFloor);
            while (_idle + _inUse + _creating > _maxSize && _oldestIdle is { } oldest)
            {
                RemoveIdle(oldest);
                Retire(oldest, DestroyReason.Surplus, ref work);
            }

            // Shared: surplus connections with leases drain, the least busy first (they empty soonest).
            int surplus = _idle + _inUse - _draining - _maxSize;
            while (_shares && surplus-- > 0 && FewestLeases(_lastNow, withRoom: false) is { } busy)
            {
                MarkDraining(busy, DestroyReason.Surplus);
            }

            Settle(ref work);
            AssertInvariants();
        }
    }

    /// <summary>Changes MinSize; raising it reserves creates.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minSize"/> is below 0 or above MaxSize; nothing changed.</exception>
    public void SetMinSize(int minSize, ref PendingWork<TConnection> work)
    {
        lock (_lock)
        {
            if (minSize < 0 || minSize > _maxSize)
            {
                throw new ArgumentOutOfRangeException(nameof(minSize), minSize, $"minSize must be between 0 and MaxSize ({_maxSize}).");
            }

            _minSize = minSize;
            Settle(ref work);
            AssertInvariants();
        }
    }

    /// <summary>
    /// One maintenance pass at <paramref name="now"/>: retires idle connections that were cleared,
    /// expired, or idled past IdleTimeout beyond MinSize (oldest first), marks leases held past the
    /// leak threshold (each reported once, into <paramref name="leaks"/>, with its stack when the acquire
    /// was sampled), and refills MinSize (I10).
    /// </summary>
    /// <returns>False when the pool is disposed: nothing was done.</returns>
    public bool Maintain(long now, ref PendingWork<TConnection> work, ref List<(long LeasedAt, System.Diagnostics.StackTrace? Site)>? leaks)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return false;
            }

            now = Advance(now); // the latest time any operation brought: see Advance
            var entry = _oldestIdle;
            while (entry is not null)
            {
                var newer = entry.Newer;
                DestroyReason? reason = entry.Generation != _generation ? DestroyReason.Cleared
                    : now >= entry.ExpiresAt ? DestroyReason.Expired
                    : now - entry.IdleSince >= _idleTimeoutTicks && _idle + _inUse > _minSize ? DestroyReason.Idle
                    : null;
                if (reason is { } why)
                {
                    RemoveIdle(entry);
                    Retire(entry, why, ref work);
                }

                entry = newer;
            }

            foreach (var leased in _leased)
            {
                leased.FindLeaks_NeedsLock(now, _leakThresholdTicks, ref leaks);
            }

            // Shared connections with leases that were cleared, expired or broken start draining now.
            foreach (var holding in _holding)
            {
                if (holding.Draining is null && StaleReason(holding, now) is { } stale)
                {
                    MarkDraining(holding, stale);
                }
            }

            Settle(ref work);
            AssertInvariants();
        }

        return true;
    }

    /// <summary>A WarmUpAsync call: ready now, refused, or registered to be completed by a later Settle.</summary>
    /// <returns>Null when MinSize is open already or <paramref name="warmUp"/> was registered; otherwise the reason it fails.</returns>
    public WarmUpRefusal? RegisterWarmUp(TaskCompletionSource warmUp, out bool registered)
    {
        registered = false;
        lock (_lock)
        {
            if (_disposed)
            {
                return new WarmUpRefusal(null, 0);
            }

            if (_unavailable)
            {
                return new WarmUpRefusal(_lastCreateError, _consecutiveFailures, _probe);
            }

            if (_idle + _inUse < _minSize)
            {
                (_warmUps ??= []).Add(warmUp);
                registered = true;
            }
        }

        return null;
    }

    /// <summary>A warm-up's token was cancelled: it stops waiting (the fill goes on).</summary>
    public void WarmUpCancelled(TaskCompletionSource warmUp)
    {
        lock (_lock)
        {
            _warmUps?.Remove(warmUp);
        }
    }

    /// <summary>Whether dispose has started. An acquire asks after its check on borrow passed: no acquire succeeds once dispose started (I9).</summary>
    public bool IsDisposed
    {
        get
        {
            lock (_lock)
            {
                return _disposed;
            }
        }
    }

    /// <summary>
    /// Disposes the state: waiters fail, idle connections are retired, warm-ups fail, and no create
    /// is reserved from now on (I9). Leases and creates in flight are retired when they come back.
    /// </summary>
    /// <param name="work">Filled with what to do after the lock.</param>
    /// <param name="drained">Completes (after a lock) when no slot and no abandoned create is left.</param>
    /// <returns>True for the first call; later calls change nothing and return the same <paramref name="drained"/>.</returns>
    public bool Dispose(ref PendingWork<TConnection> work, out Task drained)
    {
        bool first = false;
        lock (_lock)
        {
            if (!_disposed)
            {
                first = true;
                _disposed = true;
                _drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                while (_waiters.TryDequeue(out var waiter))
                {
                    waiter.Fail(PoolErrors.Disposed(_name, typeof(ConnectionPool<TConnection>)));
                    work.Deliver(waiter);
                }

                while (PopNewestIdle() is { } entry)
                {
                    Retire(entry, DestroyReason.Disposed, ref work);
                }

                DrainAllHolding(DestroyReason.Disposed);
                FailWarmUps(() => PoolErrors.Disposed(_name, typeof(ConnectionPool<TConnection>)), ref work);
                Settle(ref work);
                AssertInvariants();
            }

            drained = _drained!.Task;
        }

        return first;
    }

    /// <summary>Every shared connection with leases that does not drain yet starts draining for <paramref name="why"/>.</summary>
    private void DrainAllHolding(DestroyReason why)
    {
        foreach (var entry in _holding)
        {
            if (entry.Draining is null)
            {
                MarkDraining(entry, why);
            }
        }
    }

    // Called by Settle only when warm-ups wait: the lambdas live in separate methods so that the
    // closure they capture is allocated only when warm-up waiters are actually completed.
    private void CompleteWarmUps(ref PendingWork<TConnection> work)
    {
        if (_warmUps is { Count: > 0 } && _idle + _inUse >= _minSize)
        {
            work.Later(CompleteLater(_warmUps));
            _warmUps = null;
        }
    }

    private void FailWarmUps(Func<Exception> error, ref PendingWork<TConnection> work)
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

