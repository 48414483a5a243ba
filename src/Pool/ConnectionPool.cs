using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pool.Internal;

namespace Pool;

/// <summary>
/// A bounded, strictly FIFO, cancellable async pool of connections made by an
/// <see cref="IConnectionFactory{TConnection}"/>, with warm-up, validation, expiry, backoff,
/// fast-fail and leak detection.
/// </summary>
/// <remarks>
/// All state lives under one lock. A slot is reserved under the lock before a create starts and is
/// given back on every failure path; creates belong to the pool, not to the acquirer that caused
/// them; waiters are decided under the lock and completed after it is released. No factory call,
/// clock read, log call or continuation ever runs under the lock.
/// </remarks>
/// <typeparam name="TConnection">The connection type.</typeparam>
public sealed partial class ConnectionPool<TConnection> : IAsyncDisposable, IDisposable
{
    private readonly IConnectionFactory<TConnection> _factory;
    private readonly ConnectionPoolOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly PoolMetrics _metrics;           // recorded only after the lock: listeners are user code
    private readonly long _validateAfterIdleTicks;   // in timestamp units; long.MaxValue = never
    private readonly long _idleTimeoutTicks;         // in timestamp units; long.MaxValue = never
    private readonly long _leakThresholdTicks;       // in timestamp units; long.MaxValue = off

    // Cancelled when the pool is disposed; the factory's token for creates is linked to it.
    private readonly CancellationTokenSource _disposeCts = new();

    // The one lock. Every field below is guarded by it.
    private readonly object _lock = new();

    private readonly IdleList<TConnection> _idle = new();
    private readonly WaiterQueue<TConnection> _waiters = new();
    private readonly HashSet<ConnectionEntry<TConnection>> _leased = [];  // only while leak detection is on
    private readonly long[] _destroyedBy = new long[Enum.GetValues<DestroyReason>().Length];
    private int _inUse;
    private int _creating;            // slots reserved for creates in flight (including their backoff)
    private int _destroying;          // slots held until the destroy finishes
    private int _maxSize;
    private int _minSize;
    private int _ceiling;             // MaxSize, or more while surplus drains after a shrink
    private long _generation;
    private int _consecutiveFailures;
    private Exception? _lastCreateError;
    private bool _unavailable;
    private bool _disposed;
    private TaskCompletionSource? _drained;
    private List<TaskCompletionSource>? _warmUps;
    private long _created, _destroyed, _createFailures, _destroyFailures, _acquired, _timedOut, _cancelled;
    private long _failedFast, _createTimeouts, _lateConnections;
    private int _abandoned;           // creates abandoned at CreateTimeout still running, and their late destroys

    /// <summary>Creates a pool and starts filling it to MinSize in the background.</summary>
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
        _logger = _options.LoggerFactory?.CreateLogger(PoolDiagnostics.LoggerCategory) ?? NullLogger.Instance;
        _validateAfterIdleTicks = ToTimestampTicks(_options.ValidateAfterIdle);
        _idleTimeoutTicks = ToTimestampTicks(_options.IdleTimeout);
        _leakThresholdTicks = ToTimestampTicks(_options.LeakDetectionThreshold ?? Timeout.InfiniteTimeSpan);
        _maxSize = _options.MaxSize;
        _minSize = _options.MinSize;
        _ceiling = _maxSize;

        // Before the first create can start (MinSize): creates report to it.
        _metrics = new PoolMetrics(Name, _options.MeterFactory, GetStatistics);

        var work = default(PendingWork<TConnection>);
        lock (_lock)
        {
            Settle_NeedsLock(ref work);
            AssertInvariants_NeedsLock();
        }

        RunAfterLock(ref work);
        StartMaintenanceTimer();
    }

    /// <summary>The pool's name, from its options.</summary>
    public string Name => _options.Name;

    /// <summary>The pool's maximum size now (see <see cref="SetMaxSize"/>).</summary>
    public int MaxSize
    {
        get
        {
            lock (_lock)
            {
                return _maxSize;
            }
        }
    }

    /// <summary>The meter this pool reports through (its own, or the options' MeterFactory's).</summary>
    internal System.Diagnostics.Metrics.Meter Meter => _metrics.Meter;

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
        MaxSize = _maxSize,
        MinSize = _minSize,
        Ceiling = _ceiling,
        MaxConcurrentCreates = _options.MaxConcurrentCreates,
        Idle = _idle.Count,
        InUse = _inUse,
        Creating = _creating,
        Destroying = _destroying,
        Waiters = _waiters.Count,
        IsDisposed = _disposed,
        IsUnavailable = _unavailable,
        ConsecutiveCreateFailures = _consecutiveFailures,
        Generation = _generation,
        Created = _created,
        Destroyed = _destroyed,
        CreateFailures = _createFailures,
        DestroyFailures = _destroyFailures,
        Acquired = _acquired,
        TimedOut = _timedOut,
        Cancelled = _cancelled,
        FailedFast = _failedFast,
        CreateTimeouts = _createTimeouts,
        LateConnections = _lateConnections,
        Abandoned = _abandoned,
        DestroyedInvalidated = _destroyedBy[(int)DestroyReason.Invalidated],
        DestroyedValidationFailed = _destroyedBy[(int)DestroyReason.ValidationFailed],
        DestroyedIdle = _destroyedBy[(int)DestroyReason.Idle],
        DestroyedExpired = _destroyedBy[(int)DestroyReason.Expired],
        DestroyedCleared = _destroyedBy[(int)DestroyReason.Cleared],
        DestroyedSurplus = _destroyedBy[(int)DestroyReason.Surplus],
        DestroyedDisposed = _destroyedBy[(int)DestroyReason.Disposed],
    };

    private int Total_NeedsLock => _idle.Count + _inUse + _creating + _destroying;

    private int MaxConcurrentCreates_NeedsLock => Math.Min(_options.MaxConcurrentCreates, _maxSize);

    /// <summary>
    /// Brings the state back to rest after any change: idle connections go to the oldest waiters,
    /// the shrink ceiling follows the connections down, warm-up waiters are told, and slots are
    /// reserved for the creates that waiters, MinSize or the fast-fail probe need.
    /// </summary>
    private void Settle_NeedsLock(ref PendingWork<TConnection> work)
    {
        while (_waiters.Count > 0 && _idle.TryPopNewest(out var entry))
        {
            _waiters.TryDequeue(out var waiter);
            waiter.Grant_NeedsLock(entry, BeginLease_NeedsLock(entry, waiter.LeaseSite, entry.IdleSince));
            work.Deliver(waiter);
        }

        _ceiling = Math.Max(_maxSize, Math.Min(_ceiling, Total_NeedsLock));
        if (_disposed)
        {
            if (Total_NeedsLock == 0 && _abandoned == 0 && _drained is not null && !_drained.Task.IsCompleted)
            {
                work.Drained = true;
            }

            return;
        }

        CompleteWarmUps_NeedsLock(ref work);
        int wanted = _unavailable
            ? (_creating == 0 ? 1 : 0) // one probe at a time while the backend is down
            : Math.Max(_waiters.Count - _creating, _minSize - Total_NeedsLock);
        int creates = Math.Min(wanted, Math.Min(MaxConcurrentCreates_NeedsLock - _creating, _maxSize - Total_NeedsLock));
        if (creates > 0)
        {
            _creating += creates;
            work.CreatesToStart += creates;
            work.CreateFailuresBefore = _consecutiveFailures;
            work.Probe = _unavailable;
            work.CreateGeneration = _generation;
        }
    }

    private long BeginLease_NeedsLock(ConnectionEntry<TConnection> entry, string? site, long now)
    {
        _inUse++;
        _acquired++;
        entry.UsedSince = null; // stamped when the lease reaches its acquirer (a failed validation withdraws it before)
        if (_options.LeakDetectionThreshold is not null)
        {
            entry.LeasedAt = now;
            entry.LeaseSite = site;
            entry.LeakReported = false;
            _leased.Add(entry);
        }

        return entry.BeginLease_NeedsLock();
    }

    /// <summary>Moves a connection to Destroying; the destroy itself starts after the lock.</summary>
    private void Retire_NeedsLock(ConnectionEntry<TConnection> entry, DestroyReason reason, ref PendingWork<TConnection> work)
    {
        _destroying++;
        _destroyedBy[(int)reason]++;
        entry.RetiredFor = reason; // counted and logged when the destroy starts, after the lock
        work.Destroy(entry);
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

        // Destroys first: a destroy that finishes at once frees its slot (and may reserve a refill)
        // before the creates decided here can fail, so every create reserved in the same instant
        // sees the same backoff state, whatever the thread pool does (found by the FsCheck model).
        work.StartDestroys(this);
        for (int i = 0; i < work.CreatesToStart; i++)
        {
            StartCreate(work.CreateFailuresBefore, work.Probe, work.CreateGeneration);
        }

        ReportCreateOutcome(in work);
        work.RunLater();
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

    private long ToTimestampTicks(TimeSpan span) =>
        span == Timeout.InfiniteTimeSpan ? long.MaxValue : (long)(span.Ticks * (_time.TimestampFrequency / (double)TimeSpan.TicksPerSecond));

    private TimeSpan Elapsed(long from, long to) => _time.GetElapsedTime(from, to);

    /// <summary>
    /// Callbacks and after-lock work must never run inside a locked section: that would mean user code
    /// (a timer, a token callback, a factory) was called under the lock and re-entered the pool.
    /// </summary>
    [Conditional("DEBUG")]
    private void AssertNotUnderLock() =>
        PoolInvariants.Require(!IsLockHeldByCurrentThread(), "No user code under the lock", "the pool was re-entered from inside its own lock.");

    private bool IsLockHeldByCurrentThread()
    {
        try
        {
            return Monitor.IsEntered(_lock);
        }
        catch (SynchronizationLockException)
        {
            // Coyote's model of Monitor throws here when nobody holds the lock.
            return false;
        }
    }

    [Conditional("DEBUG")]
    private void AssertInvariants_NeedsLock() => PoolInvariants.Assert(Snapshot_NeedsLock());
}
