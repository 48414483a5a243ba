using System.Diagnostics;
using Pool.Internal;

namespace Pool;

/// <summary>
/// A bounded, strictly FIFO, cancellable async pool of connections made by an
/// <see cref="IConnectionFactory{TConnection}"/>.
/// </summary>
/// <remarks>
/// All state lives under one lock. A slot is reserved under the lock before a create starts and is
/// given back on every failure path; creates belong to the pool, not to the acquirer that caused
/// them; waiters are decided under the lock and completed after it is released. No factory call and
/// no continuation ever runs under the lock.
/// </remarks>
/// <typeparam name="TConnection">The connection type.</typeparam>
public sealed partial class ConnectionPool<TConnection> : IAsyncDisposable
{
    private readonly IConnectionFactory<TConnection> _factory;
    private readonly ConnectionPoolOptions _options;
    private readonly TimeProvider _time;

    // Cancelled when the pool is disposed; the factory's token for creates.
    private readonly CancellationTokenSource _disposeCts = new();

    // The one lock. Every field below is guarded by it.
    private readonly object _lock = new();

    private readonly IdleList<TConnection> _idle = new();       // guarded by _lock
    private readonly WaiterQueue<TConnection> _waiters = new(); // guarded by _lock
    private int _inUse;                                         // guarded by _lock
    private int _creating;                                      // guarded by _lock; slots reserved for creates in flight
    private int _destroying;                                    // guarded by _lock; slots held until the destroy finishes
    private bool _disposed;                                     // guarded by _lock
    private TaskCompletionSource? _drained;                     // guarded by _lock; set once when disposed
    private long _created, _destroyed, _createFailures, _destroyFailures; // guarded by _lock
    private long _acquired, _timedOut, _cancelled;              // guarded by _lock

    /// <summary>Creates a pool. It opens no connection until one is needed (or MinSize asks for it).</summary>
    /// <param name="factory">Makes, checks and closes connections.</param>
    /// <param name="options">Settings; validated here, with one exception listing every problem.</param>
    /// <exception cref="ArgumentNullException"><paramref name="factory"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public ConnectionPool(IConnectionFactory<TConnection> factory, ConnectionPoolOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(factory);
        _factory = factory;
        _options = (options ?? new ConnectionPoolOptions()).ValidatedCopy(nameof(options));
        _time = _options.TimeProvider;

        var work = default(PendingWork<TConnection>);
        lock (_lock)
        {
            Settle_NeedsLock(ref work);
            AssertInvariants_NeedsLock();
        }

        RunAfterLock(ref work);
    }

    /// <summary>The pool's name, from its options.</summary>
    public string Name => _options.Name;

    /// <summary>The pool's maximum size.</summary>
    public int MaxSize => _options.MaxSize;

    /// <summary>A consistent snapshot of counts and counters.</summary>
    /// <returns>The snapshot.</returns>
    public PoolStatistics GetStatistics()
    {
        lock (_lock)
        {
            return Snapshot_NeedsLock();
        }
    }

    private PoolStatistics Snapshot_NeedsLock() => new()
    {
        MaxSize = _options.MaxSize,
        Idle = _idle.Count,
        InUse = _inUse,
        Creating = _creating,
        Destroying = _destroying,
        Waiters = _waiters.Count,
        IsDisposed = _disposed,
        Created = _created,
        Destroyed = _destroyed,
        CreateFailures = _createFailures,
        DestroyFailures = _destroyFailures,
        Acquired = _acquired,
        TimedOut = _timedOut,
        Cancelled = _cancelled,
    };

    private int Total_NeedsLock => _idle.Count + _inUse + _creating + _destroying;

    /// <summary>
    /// Brings the state back to rest after any change: idle connections go to the oldest waiters,
    /// then slots are reserved for the creates that waiters (and MinSize) need.
    /// </summary>
    private void Settle_NeedsLock(ref PendingWork<TConnection> work)
    {
        while (_waiters.Count > 0 && _idle.TryPopNewest(out var entry))
        {
            _waiters.TryDequeue(out var waiter);
            GrantTo_NeedsLock(waiter, entry, ref work);
        }

        if (_disposed)
        {
            if (Total_NeedsLock == 0 && _drained is not null && !_drained.Task.IsCompleted)
            {
                work.Drained = true;
            }

            return;
        }

        int wanted = Math.Max(_waiters.Count - _creating, WarmUpDeficit_NeedsLock());
        int creates = Math.Min(wanted, _options.MaxSize - Total_NeedsLock);
        if (creates > 0)
        {
            _creating += creates;
            work.CreatesToStart += creates;
        }
    }

    // MinSize is topped up in the background, but not straight after a failure: a down backend
    // must not turn warm-up into a create loop. The next success, or a waiter, resumes it.
    private int WarmUpDeficit_NeedsLock() =>
        _lastCreateFailed ? 0 : _options.MinSize - Total_NeedsLock;

    private void GrantTo_NeedsLock(Waiter<TConnection> waiter, ConnectionEntry<TConnection> entry, ref PendingWork<TConnection> work)
    {
        _inUse++;
        _acquired++;
        waiter.Grant_NeedsLock(entry);
        work.Deliver(waiter);
    }

    /// <summary>Carries out what a locked section decided. Call without the lock.</summary>
    private void RunAfterLock(ref PendingWork<TConnection> work)
    {
        AssertNotUnderLock();
        if (work.IsEmpty)
        {
            return;
        }

        work.DeliverWaiters();
        for (int i = 0; i < work.CreatesToStart; i++)
        {
            StartCreate();
        }

        work.StartDestroys(this);
        if (work.Drained)
        {
            TaskCompletionSource? drained;
            lock (_lock)
            {
                drained = _drained;
            }

            drained?.TrySetResult();
        }
    }

    /// <summary>
    /// Callbacks and after-lock work must never run inside a locked section: that would mean user code
    /// (a timer, a token callback, a factory) was called under the lock and re-entered the pool.
    /// </summary>
    [Conditional("DEBUG")]
    private void AssertNotUnderLock() =>
        PoolInvariants.Require(!Monitor.IsEntered(_lock), "No user code under the lock", "the pool was re-entered from inside its own lock.");

    [Conditional("DEBUG")]
    private void AssertInvariants_NeedsLock() => PoolInvariants.Assert(Snapshot_NeedsLock());
}
