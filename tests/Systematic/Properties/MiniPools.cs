using Pool.Internal;

namespace Pool.Tests.Systematic.Properties;

internal interface IMiniLease
{
    void Invalidate();

    void Return();
}

/// <summary>What a scenario drives: the real pool, or the broken toy that proves the property has teeth.</summary>
internal interface IMiniPool : IAsyncDisposable
{
    ValueTask<IMiniLease> AcquireAsync(CancellationToken cancellationToken);

    bool TryAcquire(out IMiniLease? lease);

    PoolStatistics Statistics();
}

internal sealed class RealMiniPool(ScenarioFactory factory, ConcurrentScenario s) : IMiniPool
{
    private readonly ConnectionPool<ScenarioConnection> _pool = new(factory, new ConnectionPoolOptions
    {
        MaxSize = s.MaxSize,
        MaxConcurrentCreates = s.MaxConcurrentCreates,
        AcquireTimeout = Timeout.InfiniteTimeSpan,
        CreateTimeout = Timeout.InfiniteTimeSpan,
        DisposeTimeout = Timeout.InfiniteTimeSpan,
        ValidateAfterIdle = Timeout.InfiniteTimeSpan,
        IdleTimeout = Timeout.InfiniteTimeSpan,
        MaxLifetime = Timeout.InfiniteTimeSpan,
        MaintenanceInterval = Timeout.InfiniteTimeSpan,
        FailFastAfter = 0,
        LifetimeJitter = 0,
        TimeProvider = new NoTimersTimeProvider(),
        Random = new ZeroRandom(),
    });

    public async ValueTask<IMiniLease> AcquireAsync(CancellationToken cancellationToken) => new Lease(await _pool.AcquireAsync(cancellationToken));

    public bool TryAcquire(out IMiniLease? lease)
    {
        bool ok = _pool.TryAcquire(out var l);
        lease = ok ? new Lease(l) : null;
        return ok;
    }

    public PoolStatistics Statistics() => _pool.GetStatistics();

    public ValueTask DisposeAsync() => _pool.DisposeAsync();

    private sealed class Lease(PooledConnection<ScenarioConnection> lease) : IMiniLease
    {
        public void Invalidate() => lease.Invalidate();

        public void Return() => lease.Dispose();
    }
}

/// <summary>
/// A deliberately broken toy pool (invariant I2): a failed create frees its slot but wakes no waiter,
/// so the acquirer parked behind it waits forever. Same adapter as the real pool.
/// </summary>
internal sealed class NoWakeUpToyPool(ScenarioFactory factory, ConcurrentScenario s) : IMiniPool
{
    private readonly object _lock = new();
    private readonly Stack<ScenarioConnection> _idle = new();
    private readonly List<TaskCompletionSource<ScenarioConnection>> _waiters = [];
    private int _inUse, _creating;
    private bool _disposed;

    public async ValueTask<IMiniLease> AcquireAsync(CancellationToken cancellationToken)
    {
        var waiter = new TaskCompletionSource<ScenarioConnection>(TaskCreationOptions.RunContinuationsAsynchronously);
        bool create = false;
        lock (_lock)
        {
            if (_idle.Count > 0)
            {
                _inUse++;
                return new Lease(this, _idle.Pop());
            }

            _waiters.Add(waiter);
            if (_idle.Count + _inUse + _creating < s.MaxSize)
            {
                _creating++;
                create = true;
            }
        }

        if (create)
        {
            _ = Task.Run(CreateAsync, CancellationToken.None);
        }

        var registration = cancellationToken.Register(() =>
        {
            lock (_lock)
            {
                if (!_waiters.Remove(waiter))
                {
                    return;
                }
            }

            waiter.TrySetCanceled(cancellationToken);
        });
        try
        {
            return new Lease(this, await waiter.Task);
        }
        finally
        {
            registration.Unregister(); // Unregister, not Dispose: Dispose spins (uncontrolled) on a running callback
        }
    }

    public bool TryAcquire(out IMiniLease? lease)
    {
        lock (_lock)
        {
            if (_idle.Count > 0)
            {
                _inUse++;
                lease = new Lease(this, _idle.Pop());
                return true;
            }
        }

        lease = null;
        return false;
    }

    public PoolStatistics Statistics()
    {
        lock (_lock)
        {
            return new PoolStatistics
            {
                MaxSize = s.MaxSize,
                Ceiling = s.MaxSize,
                MaxConcurrentCreates = s.MaxSize,
                Idle = _idle.Count,
                InUse = _inUse,
                Creating = _creating,
                IsDisposed = _disposed,
                Created = _inUse + _idle.Count, // only what is open; keeps Live consistent
                Destroyed = 0,
            };
        }
    }

    public ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            _disposed = true;
            while (_idle.Count > 0)
            {
                factory.DestroyAsync(_idle.Pop()).AsTask().GetAwaiter().GetResult(); // completes synchronously
            }
        }

        return default;
    }

    private async Task CreateAsync()
    {
        ScenarioConnection connection;
        try
        {
            connection = await factory.CreateAsync(CancellationToken.None);
        }
        catch (InvalidOperationException)
        {
            lock (_lock)
            {
                _creating--; // BUG: the slot is free, but the waiter behind this create is never told
            }

            return;
        }

        Give(connection, created: true);
    }

    private void Give(ScenarioConnection connection, bool created)
    {
        TaskCompletionSource<ScenarioConnection>? waiter = null;
        lock (_lock)
        {
            if (created)
            {
                _creating--;
            }

            if (_disposed)
            {
                factory.DestroyAsync(connection).AsTask().GetAwaiter().GetResult(); // completes synchronously
                return;
            }

            if (_waiters.Count > 0)
            {
                waiter = _waiters[0];
                _waiters.RemoveAt(0);
                _inUse++;
            }
            else
            {
                _idle.Push(connection);
            }
        }

        waiter?.TrySetResult(connection);
    }

    private void Return(ScenarioConnection connection, bool invalidated)
    {
        bool create = false;
        lock (_lock)
        {
            _inUse--;
            if (invalidated || _disposed)
            {
                factory.DestroyAsync(connection).AsTask().GetAwaiter().GetResult(); // completes synchronously
                if (!_disposed && _waiters.Count > _creating && _idle.Count + _inUse + _creating < s.MaxSize)
                {
                    _creating++;
                    create = true;
                }
            }
        }

        if (create)
        {
            _ = Task.Run(CreateAsync);
        }
        else if (!invalidated && !_disposed)
        {
            Give(connection, created: false);
        }
    }

    private sealed class Lease(NoWakeUpToyPool pool, ScenarioConnection connection) : IMiniLease
    {
        private bool _invalid;

        public void Invalidate() => _invalid = true;

        public void Return() => pool.Return(connection, _invalid);
    }
}
