namespace Pool.Tests.Kit;

/// <summary>
/// A small pool with one lock, a FIFO waiter queue, an idle stack (newest out first) and pool-owned
/// creates (a failed create fails the oldest waiter; creates after consecutive failures wait a backoff),
/// correct except for the one <see cref="CanaryBug"/> it is built with (none: a correct canary). It proves
/// the tests have teeth: the Coyote scenarios race it, the FsCheck model drives it in lockstep, and each
/// must find its bug. It follows the real pool's rules closely enough that the model predicts it exactly
/// on the operations it has (acquire with timeout and token, try-acquire, return, invalidate, dispose)
/// except where the bug bites. Two bugs bring a path the correct canary lacks, used only when built with
/// them: a CreateTimeout (<see cref="CanaryBug.AbandonedCreateUncounted"/>) and a check on borrow
/// (<see cref="CanaryBug.UncheckedReturnOnCancelledCheck"/>). Uses only primitives Coyote controls:
/// lock(object), TaskCompletionSource with asynchronous continuations, CancellationToken.Register and the options' TimeProvider for timers.
/// </summary>
/// <remarks>
/// Shared leases (K = MaxLeasesPerConnection above 1): a connection serves up to K leases at once. An
/// acquire takes the usable connection with the fewest leases: an idle one first (newest first, as with
/// K = 1), else the busy connection with the fewest leases, ties to the oldest (made first). A create is
/// reserved only for waiters no connection in flight will serve (each brings room for K). An invalidated
/// connection is broken at once: it takes no new lease, its other holders finish, and it is destroyed at
/// its last return (the canary has no expiry, Clear or shrink, so invalidation is its only drain). With
/// K = 1 every path is the exclusive canary's.
/// </remarks>
public sealed partial class CanaryPool : IPoolUnderTest
{
    private readonly object _lock = new();
    private readonly CanaryBug? _bug;
    private readonly IConnectionFactory<TestConnection> _factory;
    private readonly int _maxSize;
    private readonly int _maxLeases;
    private readonly TimeSpan _acquireTimeout;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly TimeSpan _backoffInitial;
    private readonly TimeSpan _backoffMax;
    private readonly TimeSpan _createTimeout;      // read only by the AbandonedCreateUncounted bug
    private readonly TimeSpan _validateAfterIdle;  // read only by the UncheckedReturnOnCancelledCheck bug
    private readonly Stack<Entry> _idle = new();             // guarded by _lock: connections with no lease
    private readonly List<Entry> _busy = [];                 // guarded by _lock: connections with a lease, oldest first
    private readonly LinkedList<Waiter> _waiters = new();    // guarded by _lock
    private readonly List<Task> _work = [];                  // guarded by _lock: creates and destroys, awaited by DisposeAsync
    private int _leases, _creating, _destroying;             // guarded by _lock
    private int _consecutiveFailures;                        // guarded by _lock
    private long _created, _destroyed, _createFailures;      // guarded by _lock
    private long _acquired;                                  // guarded by _lock
    private long _createTimeouts, _lateConnections;          // guarded by _lock: only the AbandonedCreateUncounted bug gives creates up
    private int _abandoned;                                  // guarded by _lock: that bug's abandoned factory calls and their late connections, until they end
    private long _nextEntry;                                 // guarded by _lock: the age order of connections
    private bool _disposed;                                  // guarded by _lock

    /// <summary>
    /// A canary with <paramref name="bug"/> (null: none). Of <paramref name="options"/> it reads MaxSize, MaxLeasesPerConnection,
    /// AcquireTimeout, BackoffInitial, BackoffMax, TimeProvider and Random (and CreateTimeout or
    /// ValidateAfterIdle only for the bug that needs it); creates are capped only by capacity.
    /// K is <paramref name="maxLeasesPerConnection"/> if given, else the options' MaxLeasesPerConnection.
    /// </summary>
    public CanaryPool(CanaryBug? bug, ConnectionPoolOptions options, IConnectionFactory<TestConnection> factory, int? maxLeasesPerConnection = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _bug = bug;
        _factory = factory;
        _maxSize = options.MaxSize;
        _maxLeases = maxLeasesPerConnection ?? options.MaxLeasesPerConnection;
        ArgumentOutOfRangeException.ThrowIfLessThan(_maxLeases, 1, nameof(maxLeasesPerConnection));
        _acquireTimeout = options.AcquireTimeout;
        _time = options.TimeProvider;
        _random = options.Random;
        _backoffInitial = options.BackoffInitial;
        _backoffMax = options.BackoffMax;
        _createTimeout = options.CreateTimeout;
        _validateAfterIdle = options.ValidateAfterIdle;
    }

    /// <summary>K: the most leases one connection serves at once.</summary>
    public int MaxLeasesPerConnection => _maxLeases;

    private int Total_NeedsLock => _idle.Count + _busy.Count + _creating + _destroying;

    private int LiveWaiters_NeedsLock => _waiters.Count(w => !w.Dead);

    public async Task<ILeaseHandle> AcquireAsync(TimeSpan? timeout, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var waiter = new Waiter();
        AfterLock work = null!; // set whenever nothing was borrowed
        Entry? borrowed = null;
        bool fromIdle = false;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (TakeRoom_NeedsLock(out fromIdle) is { } room)
            {
                _acquired++;
                borrowed = room;
            }
            else
            {
                // Queued and its create reserved in one step: no snapshot sees a waiter with nothing coming.
                waiter.Node = _waiters.AddLast(waiter);
                work = Settle_NeedsLock();
            }
        }

        if (borrowed is not null)
        {
            return fromIdle ? await BorrowAsync(borrowed, cancellationToken) : new Handle(this, borrowed);
        }

        var limit = timeout ?? _acquireTimeout;
        var timer = limit == Timeout.InfiniteTimeSpan
            ? null
            : _time.CreateTimer(_ => GiveUp(waiter, new PoolExhaustedException("The canary timed out.")), waiter, limit, Timeout.InfiniteTimeSpan);

        // Unregister, never Dispose: Dispose blocks (uncontrolled by Coyote) while the callback runs.
        var registration = cancellationToken.CanBeCanceled
            ? cancellationToken.Register(() => GiveUp(waiter, new OperationCanceledException(cancellationToken)))
            : default;
        try
        {
            Run(work);
            return new Handle(this, await waiter.Completion.Task);
        }
        finally
        {
            registration.Unregister();
            if (_bug != CanaryBug.WaiterDeadlineLeftArmed)
            {
                timer?.Dispose();
            }
        }
    }

    public bool TryAcquire([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ILeaseHandle? lease)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (TakeRoom_NeedsLock(out _) is { } room)
            {
                _acquired++;
                lease = new Handle(this, room);
                return true;
            }
        }

        lease = null;
        return false;
    }

    public PoolStatistics GetStatistics()
    {
        lock (_lock)
        {
            return new PoolStatistics
            {
                MaxSize = _maxSize,
                Ceiling = _maxSize,                 // the canary never shrinks
                MaxConcurrentCreates = _maxSize,    // and caps creates only by capacity
                Idle = _idle.Count,
                InUse = _busy.Count,                // connections with at least one lease
                Leases = _leases,
                BusiestConnectionLeases = _busy.Count == 0 ? 0 : _busy.Max(e => e.Leases),
                MaxLeasesPerConnection = _maxLeases,
                Creating = _creating,
                Destroying = _destroying,
                Waiters = LiveWaiters_NeedsLock,    // a dead waiter the LostHandOffToDeadWaiter bug left queued waits for nothing
                IsDisposed = _disposed,
                ConsecutiveCreateFailures = _consecutiveFailures,
                Created = _created,
                Destroyed = _destroyed,
                CreateFailures = _createFailures,
                Acquired = _acquired,
                CreateTimeouts = _createTimeouts,
                LateConnections = _lateConnections,
                Abandoned = _abandoned,
            };
        }
    }

    /// <summary>
    /// Places one lease: on the newest idle connection, else on the busy connection with the fewest
    /// leases below K that is not broken (ties: the oldest). Null: no room anywhere.
    /// </summary>
    private Entry? TakeRoom_NeedsLock(out bool fromIdle)
    {
        fromIdle = _idle.TryPop(out var entry);
        if (fromIdle)
        {
            InsertBusy_NeedsLock(entry!);
        }
        else
        {
            // LeaseOnFullConnection: the bug, an off-by-one that lets a connection at K take one more.
            int limit = _bug == CanaryBug.LeaseOnFullConnection ? _maxLeases + 1 : _maxLeases;
            foreach (var busy in _busy)
            {
                // LeaseOnBrokenConnection: the bug, an invalidated connection still draining takes new leases.
                bool usable = !busy.Broken || _bug == CanaryBug.LeaseOnBrokenConnection;
                if (usable && busy.Leases < limit && (entry is null || busy.Leases < entry.Leases))
                {
                    entry = busy;
                }
            }

            if (entry is null)
            {
                return null;
            }
        }

        entry!.Leases++;
        _leases++;
        return entry;
    }

    private void InsertBusy_NeedsLock(Entry entry)
    {
        int at = _busy.FindIndex(e => e.Order > entry.Order);
        _busy.Insert(at < 0 ? _busy.Count : at, entry);
    }

    /// <summary>
    /// Rest after any change: room on connections goes to the oldest waiters, then creates are reserved
    /// for the waiters no connection in flight will serve. Returns the hand-offs and creates to start once
    /// the lock is released.
    /// </summary>
    private AfterLock Settle_NeedsLock()
    {
        var work = new AfterLock();
        if (_disposed)
        {
            return work;
        }

        while (_waiters.First is { } first && TakeRoom_NeedsLock(out _) is { } room)
        {
            Dequeue_NeedsLock(first.Value);
            _acquired++; // still in use, now by the waiter (or lost, if the waiter is dead)
            work.Grants.Add((first.Value, room));
        }

        int open = _bug == CanaryBug.CheckThenCreate ? _idle.Count + _busy.Count : Total_NeedsLock; // the bug ignores creates in flight
        int unserved = LiveWaiters_NeedsLock - (_creating * _maxLeases);
        int needed = unserved <= 0 ? 0 : (unserved + _maxLeases - 1) / _maxLeases;
        work.Creates = Math.Max(0, Math.Min(needed, _maxSize - open));
        _creating += work.Creates;
        work.FailuresBefore = _consecutiveFailures;
        return work;
    }

    /// <summary>Completes what <see cref="Settle_NeedsLock"/> decided; never under the lock.</summary>
    private void Run(AfterLock work)
    {
        foreach (var (waiter, entry) in work.Grants)
        {
            if (!waiter.Completion.TrySetResult(entry) && _bug != CanaryBug.LostHandOffToDeadWaiter)
            {
                Return(entry, invalidated: false); // The waiter is gone: the lease goes to someone else.
            }

            // LostHandOffToDeadWaiter: the failed hand-off is ignored and the lease is lost, counted in use forever.
        }

        for (int i = 0; i < work.Creates; i++)
        {
            StartCreate(work.FailuresBefore);
        }
    }

    private void GiveUp(Waiter waiter, Exception error)
    {
        if (_bug == CanaryBug.LostHandOffToDeadWaiter)
        {
            // The bug: the waiter ends but never leaves the queue; a connection handed to it is lost.
            if (waiter.Completion.TrySetException(error))
            {
                lock (_lock)
                {
                    waiter.Dead = true;
                }
            }

            return;
        }

        lock (_lock)
        {
            if (!Dequeue_NeedsLock(waiter))
            {
                return; // Already granted: the grant stands.
            }
        }

        waiter.Completion.TrySetException(error);
    }

    private bool Dequeue_NeedsLock(Waiter waiter)
    {
        if (waiter.Node is null)
        {
            return false;
        }

        _waiters.Remove(waiter.Node);
        waiter.Node = null;
        return true;
    }

    /// <summary>What to do after the lock: hand-offs to complete and creates to start (after the given number of consecutive failures).</summary>
    private sealed class AfterLock
    {
        public List<(Waiter Waiter, Entry Entry)> Grants { get; } = [];

        public int Creates { get; set; }

        public int FailuresBefore { get; set; }
    }

    /// <summary>A queued acquire; also its timeout timer's state (rank 0 for the <see cref="SteppedClock"/>).</summary>
    private sealed class Waiter : IRankedTimerState
    {
        public TaskCompletionSource<Entry> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public LinkedListNode<Waiter>? Node { get; set; } // guarded by the pool's _lock

        public bool Dead { get; set; } // guarded by the pool's _lock

        public int Rank => 0;
    }

    /// <summary>One open connection and its leases.</summary>
    private sealed class Entry(TestConnection connection, long order)
    {
        public TestConnection Connection => connection;

        /// <summary>Creation order: ties in placement go to the oldest.</summary>
        public long Order => order;

        public int Leases { get; set; } // guarded by the pool's _lock

        /// <summary>Invalidated: takes no new lease, destroyed at its last return.</summary>
        public bool Broken { get; set; } // guarded by the pool's _lock
    }

    private sealed class Handle(CanaryPool pool, Entry entry) : ILeaseHandle
    {
        // No lock: Coyote runs one operation at a time and the lockstep driver one step at a time.
        private bool _returned;
        private bool _invalidated;

        public TestConnection Connection => entry.Connection;

        public void Return()
        {
            // LeaseCountDecrementedTwice: the bug, with shared leases a second return of one lease is not
            // recognised as stale and takes a lease off the connection again.
            bool twice = pool._bug == CanaryBug.LeaseCountDecrementedTwice && pool._maxLeases > 1;
            if (!_returned || twice)
            {
                _returned = true;
                pool.Return(entry, _invalidated);
            }
        }

        public void Invalidate()
        {
            if (_returned)
            {
                return;
            }

            _invalidated = true;
            if (pool._maxLeases > 1)
            {
                pool.MarkBroken(entry); // shared: the connection takes no new lease from now on
            }
        }
    }
}
