
namespace Pool.Tests.Properties.Model;

/// <summary>The real <see cref="ConnectionPool{TConnection}"/> behind the adapter.</summary>
internal sealed class LockstepRealPool : ILockstepPool
{
    private readonly SteppedClock _time = new();
    private readonly ConnectionPool<TestConnection> _pool;
    private readonly Dictionary<int, Task<PooledConnection<TestConnection>>> _acquires = [];
    private readonly Dictionary<int, PooledConnection<TestConnection>> _tried = [];
    private readonly Dictionary<int, Outcome> _sync = [];
    private readonly Dictionary<int, CancellationTokenSource> _tokens = [];
    private Task? _dispose;

    public LockstepRealPool(ModelConfig config)
    {
        Factory = new FakeFactory();
        _pool = new ConnectionPool<TestConnection>(Factory, config.ToOptions(_time));
        Settle();
    }

    public FakeFactory Factory { get; }

    public bool DisposeCompleted => _dispose?.IsCompleted == true;

    public void Acquire(int id, long timeout, bool cancellable)
    {
        var cts = cancellable ? new CancellationTokenSource() : null;
        if (cts is not null)
        {
            _tokens[id] = cts;
        }

        var token = cts?.Token ?? CancellationToken.None;
        _acquires[id] = timeout == 0
            ? _pool.AcquireAsync(token).AsTask()
            : _pool.AcquireAsync(ModelConfig.Span(timeout), token).AsTask();
    }

    public void TryAcquire(int id)
    {
        try
        {
            if (_pool.TryAcquire(out var lease))
            {
                _tried[id] = lease;
                _sync[id] = Outcome.Lease;
            }
            else
            {
                _sync[id] = Outcome.NoLease;
            }
        }
        catch (ObjectDisposedException)
        {
            _sync[id] = Outcome.Disposed;
        }
    }

    public void Return(int id, bool invalidate)
    {
        PooledConnection<TestConnection> lease;
        if (_tried.TryGetValue(id, out var t))
        {
            lease = t;
        }
        else if (_acquires.TryGetValue(id, out var task) && task.IsCompletedSuccessfully)
        {
            lease = task.Result;
        }
        else
        {
            return;
        }

        if (invalidate)
        {
            lease.Invalidate();
        }

        lease.Dispose();
    }

    public void Cancel(int id)
    {
        if (_tokens.TryGetValue(id, out var cts))
        {
            cts.Cancel();
        }
    }

    public Outcome OutcomeOf(int id)
    {
        if (_sync.TryGetValue(id, out var o))
        {
            return o;
        }

        var task = _acquires[id];
        if (!task.IsCompleted)
        {
            return Outcome.Pending;
        }

        if (task.IsCompletedSuccessfully)
        {
            return Outcome.Lease;
        }

        if (task.IsCanceled)
        {
            return Outcome.Cancelled;
        }

        return task.Exception!.InnerException switch
        {
            PoolExhaustedException => Outcome.Exhausted,
            ObjectDisposedException => Outcome.Disposed,
            ConnectionCreateException => Outcome.CreateFailed,
            PoolUnavailableException => Outcome.Unavailable,
            OperationCanceledException => Outcome.Cancelled,
            _ => Outcome.Other,
        };
    }

    public void Advance(long delta)
    {
        long target = _time.GetTimestamp() + delta;
        while (_time.NextDue() is { } due && due <= target)
        {
            _time.FireNext();
            Settle();
        }

        _time.SetNow(target);
    }

    public bool SetMaxSize(int n)
    {
        try
        {
            _pool.SetMaxSize(n);
            return true;
        }
        catch (ArgumentOutOfRangeException)
        {
            return false;
        }
    }

    public bool SetMinSize(int n)
    {
        try
        {
            _pool.SetMinSize(n);
            return true;
        }
        catch (ArgumentOutOfRangeException)
        {
            return false;
        }
    }

    public void Clear() => _pool.Clear();

    public void RunMaintenance() => _pool.RunMaintenance();

    public void Dispose() => _dispose = _pool.DisposeAsync().AsTask();

    public PoolStatistics Statistics() => _pool.GetStatistics();

    /// <summary>
    /// Rest: every reserved create is parked in a backoff timer or in a hanging factory call, nothing is
    /// being destroyed or abandoned, and every acquire that is not queued has completed. A bounded spin
    /// of yields, never a sleep.
    /// </summary>
    public bool Settle()
    {
        int stable = 0;
        return Waits.Spin(() =>
        {
            var s = _pool.GetStatistics();
            int pendingAcquires = _acquires.Values.Count(t => !t.IsCompleted);
            bool rest = s.Creating == _time.Pending(2) + Factory.HungCreates
                && s.Destroying == 0
                && s.Abandoned == 0
                && pendingAcquires == s.Waiters
                && (!s.IsDisposed || _dispose is null || s.Total != 0 || _dispose.IsCompleted);
            stable = rest ? stable + 1 : 0;
            return stable >= 2;
        }, TimeSpan.FromSeconds(10));
    }
}
