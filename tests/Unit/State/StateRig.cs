namespace Pool.Tests.Unit.State;

/// <summary>
/// Drives a <see cref="PoolState{TConnection}"/> alone: no pool, no factory, no timers, no tasks.
/// Each call runs one operation at <see cref="Now"/> and keeps the work it returned in <see cref="Work"/>.
/// Built with the options a test names and, with <c>idle</c>, that many connections already open and idle
/// (the start most tests need).
/// </summary>
internal sealed class StateRig
{
    public const long Never = long.MaxValue;

    /// <summary>The error the state tests' failed creates report.</summary>
    public static readonly IOException Refused = new("connection refused");

    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(1);

    private int _connections;

    public StateRig(
        int maxSize = 2, int minSize = 0, int maxConcurrentCreates = 2, int failFastAfter = 3, long idleTimeoutTicks = Never, long leakThresholdTicks = Never,
        int maxLeases = 1, long validateAfterIdleTicks = Never, int idle = 0)
    {
        var options = new ConnectionPoolOptions
        {
            Name = "state",
            MaxSize = maxSize,
            MinSize = minSize,
            MaxConcurrentCreates = maxConcurrentCreates,
            FailFastAfter = failFastAfter,
            LeakDetectionThreshold = leakThresholdTicks == Never ? null : TimeSpan.FromSeconds(1),
            MaxLeasesPerConnection = maxLeases,
        };
        State = new PoolState<string>(owner: null, options, idleTimeoutTicks, leakThresholdTicks, validateAfterIdleTicks);
        if (idle > 0)
        {
            Open(idle);
        }
    }

    public PoolState<string> State { get; }

    public long Now { get; set; } = 1_000;

    /// <summary>The work the last operation returned.</summary>
    public PendingWork<string> Work;

    public PoolStatistics Stats => State.Snapshot();

    public Reservation<string> Reserve(TimeSpan? wait)
    {
        Work = default;
        return State.Reserve(Now, wait, ref Work);
    }

    /// <summary>Leases an idle connection, attaching <paramref name="site"/> as a sampled acquire does; fails the test if none was idle.</summary>
    public PooledConnection<string> Lease(StackTrace? site = null)
    {
        var reservation = Reserve(Wait);
        Assert.NotNull(reservation.Lease.Entry);
        if (site is not null)
        {
            State.AttachLeaseSite(reservation.Lease.Entry, reservation.Lease.LeaseId, site);
        }

        return reservation.Lease;
    }

    /// <summary>A create that was reserved finishes with a new connection (named c1, c2, …).</summary>
    public ConnectionEntry<string>? Succeed(long expiresAt = Never, long generation = 0, CreateAttempt? attempt = null)
    {
        using var own = new CreateAttempt(CancellationToken.None);
        Work = default;
        return State.CreateSucceeded(attempt ?? own, $"c{++_connections}", Now, expiresAt, generation, ref Work);
    }

    public void Fail(Exception error, CreateAttempt? attempt = null)
    {
        using var own = new CreateAttempt(CancellationToken.None);
        Work = default;
        State.CreateFailed(attempt ?? own, error, ref Work);
    }

    /// <summary>
    /// Reserves and opens <paramref name="count"/> idle connections (through MinSize), each with its lifetime
    /// ending at <paramref name="expiresAt"/>, then sets MinSize back; then lets <paramref name="idleTicks"/>
    /// pass, so they have been idle that long.
    /// </summary>
    public void Open(int count, long idleTicks = 0, long expiresAt = Never)
    {
        int before = Stats.MinSize;
        Work = default;
        State.SetMinSize(count, ref Work);
        while (Stats.Idle < count)
        {
            Assert.True(Stats.Creating > 0);
            Succeed(expiresAt);
        }

        Work = default;
        State.SetMinSize(before, ref Work);
        Assert.Equal(count, Stats.Idle);
        Now += idleTicks;
    }

    /// <summary>Opens one idle connection and leases it: the one connection most tests start from.</summary>
    public PooledConnection<string> OpenOneAndLease()
    {
        Open(1);
        return Lease();
    }

    /// <summary>Queues an acquire that waits up to <see cref="Wait"/>; fails the test if it was served or refused at once.</summary>
    public Waiter<string> Queue()
    {
        var waiter = Reserve(Wait).Waiter;
        Assert.NotNull(waiter);
        return waiter;
    }

    /// <summary>Registers a warm-up as WarmUpAsync does and returns what it completes; fails the test if it was refused or ready at once.</summary>
    public TaskCompletionSource WarmUp()
    {
        var warmUp = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Assert.Null(State.RegisterWarmUp(warmUp, out bool registered));
        Assert.True(registered);
        return warmUp;
    }

    /// <summary>Ends the lease (as the lease's Dispose does) and returns its connection to the state.</summary>
    /// <returns>When the lease began, if it was reported as leaked; otherwise 0.</returns>
    public long Return(in PooledConnection<string> lease, DestroyReason? forced = null)
    {
        Assert.True(lease.Entry!.TryEndLease(lease.LeaseId, out bool invalidated));
        Work = default;
        return State.Return(lease.Entry, lease.LeaseId, invalidated, forced, Now, ref Work);
    }

    /// <summary>A shared connection's first lease passed its check on borrow (as the pool reports it after ValidateAsync).</summary>
    public void CheckPassed(in PooledConnection<string> lease)
    {
        Work = default;
        State.CheckPassed(lease.Entry!, lease.LeaseId, Now, ref Work);
    }

    /// <summary>The snapshot's (InUse, Leases, BusiestConnectionLeases), after asserting every invariant, the per-connection lease rules included.</summary>
    public (int InUse, int Leases, int Busiest) LeaseCounts()
    {
        var stats = Stats;
        Assert.Null(PoolInvariants.FindViolation(stats));
        Assert.Null(State.FindLeaseViolation());
        return (stats.InUse, stats.Leases, stats.BusiestConnectionLeases);
    }

    /// <summary>A destroy ends; <paramref name="entry"/> null stands for one that never passed DestroyTimeout.</summary>
    public void DestroyFinished(bool late = false, bool failed = false, ConnectionEntry<string>? entry = null)
    {
        Work = default;
        State.DestroyFinished(entry ?? new ConnectionEntry<string>(null, "destroyed", 0, long.MaxValue, 0), late, failed, ref Work);
    }

    /// <summary>Completes the waiters the last operation decided, as the pool does after its lock.</summary>
    public void Deliver() => Work.DeliverWaiters();
}
