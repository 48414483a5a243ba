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
/// This class is the async shell: it reads the clock, calls the factory, arms timers, logs and records
/// metrics. All state lives in one synchronous state machine (<c>PoolState</c>) under one lock: a slot
/// is reserved there before a create starts and given back on every failure path; creates belong to
/// the pool, not to the acquirer that caused them; waiters are decided under the lock and completed
/// after it is released, by <c>RunAfterLock</c>. No factory call, clock read, log call or continuation
/// ever runs under the lock. The flows: ConnectionPool.Acquire.cs (acquire, wait, return),
/// ConnectionPool.Validation.cs (the check on borrow),
/// ConnectionPool.Connections.cs (create, destroy), ConnectionPool.Lifecycle.cs (clear, resize,
/// maintenance, warm-up), ConnectionPool.Dispose.cs.
/// </remarks>
/// <typeparam name="TConnection">The connection type.</typeparam>
public sealed partial class ConnectionPool<TConnection> : IAsyncDisposable, IDisposable
{
    // Set once in the constructor; read without a lock. The state itself lives in _state, under its lock.
    private readonly IConnectionFactory<TConnection> _factory;
    private readonly ConnectionPoolOptions _options;
    private readonly GuardedClock _time;             // the options' TimeProvider; reads never throw (user code)
    private readonly ILogger _logger;                // guarded: a provider that throws cannot change the pool's state
    private readonly PoolMetrics _metrics;           // recorded only after the lock: listeners are user code
    private readonly long _validateAfterIdleTicks;   // in timestamp units; long.MaxValue = never; ≤ 0 = every borrow
    private readonly bool _shares;                   // MaxLeasesPerConnection > 1: a connection serves several leases at once
    private readonly PoolState<TConnection> _state;  // every lock-guarded field, and every decision about them
    private readonly ITimer? _maintenanceTimer;      // null when nothing needs maintenance; disposed with the pool
    private readonly LeaseSites? _leaseSites;        // which acquires capture their stack; null when leak detection is off

    // Cancelled when the pool is disposed; the factory's token for creates is linked to it.
    private readonly CancellationTokenSource _disposeCts = new();

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
        _time = new GuardedClock(_options.TimeProvider);
        _logger = _options.LoggerFactory?.CreateLogger(PoolDiagnostics.LoggerCategory) is { } logger ? new GuardedLogger(logger) : NullLogger.Instance;
        // On the coarse clock each rule errs the safe way by up to one tick (GuardedClock): a check on
        // borrow may come early, never late; an eviction or a leak report late, never early.
        _validateAfterIdleTicks = _time.NoLaterThan(_options.ValidateAfterIdle);
        _shares = _options.MaxLeasesPerConnection > 1;
        _leaseSites = _options.LeakDetectionThreshold is null ? null : new LeaseSites();
        _state = new PoolState<TConnection>(
            this, _options, _time.NotBefore(_options.IdleTimeout), _time.NotBefore(_options.LeakDetectionThreshold ?? Timeout.InfiniteTimeSpan), _validateAfterIdleTicks);

        // Before the first create can start (MinSize): creates report to it.
        _metrics = new PoolMetrics(Name, _options.MeterFactory, GetStatistics);

        // Before the first create starts: a TimeProvider that cannot make the timer fails the
        // constructor with nothing left running (and the pool off its meter).
        try
        {
            _maintenanceTimer = StartMaintenanceTimer();
        }
        catch
        {
            _metrics.Dispose();
            throw;
        }

        var work = default(PendingWork<TConnection>);
        _state.Start(ref work);
        RunAfterLock(ref work);
    }

    /// <summary>The pool's name, from its options.</summary>
    public string Name => _options.Name;

    /// <summary>The pool's maximum size now (see <see cref="SetMaxSize"/>).</summary>
    public int MaxSize => _state.MaxSize;

    /// <summary>The meter this pool reports through (its own, or the options' MeterFactory's).</summary>
    internal System.Diagnostics.Metrics.Meter Meter => _metrics.Meter;

    /// <summary>A consistent snapshot of counts and counters.</summary>
    /// <returns>The snapshot.</returns>
    public PoolStatistics GetStatistics() => _state.Snapshot();

    /// <summary>
    /// Carries out the work a <see cref="PoolState{TConnection}"/> operation returned: completes the
    /// waiters it decided, starts the destroys and creates it reserved, logs the create outcome, runs
    /// the rare deferred work (warm-ups) and signals the drain. Call without the lock.
    /// </summary>
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
        work.Drained?.TrySetResult();
    }

    /// <summary>
    /// Callbacks and after-lock work must never run inside a locked section: that would mean user code
    /// (a timer, a token callback, a factory) was called under the lock and re-entered the pool.
    /// </summary>
    [Conditional("DEBUG")]
    private void AssertNotUnderLock() =>
        PoolInvariants.Require(!_state.IsLockHeldByCurrentThread(), "No user code under the lock", "the pool was re-entered from inside its own lock.");
}
