namespace Pool;

/// <summary>
/// A consistent snapshot of a pool's state and counters, taken under the pool's lock.
/// <c>Total = Idle + InUse + Creating + Destroying</c> and never exceeds <see cref="Ceiling"/>.
/// </summary>
public readonly record struct PoolStatistics
{
    /// <summary>The pool's maximum size.</summary>
    public int MaxSize { get; init; }

    /// <summary>The pool's minimum size.</summary>
    public int MinSize { get; init; }

    /// <summary>
    /// The most slots that may be taken now: <see cref="MaxSize"/>, or more for a while after MaxSize
    /// was lowered, until the surplus connections in use come back and are destroyed.
    /// </summary>
    public int Ceiling { get; init; }

    /// <summary>The cap on creates in flight (the option; the pool also never starts more than MaxSize allows).</summary>
    public int MaxConcurrentCreates { get; init; }

    /// <summary>Slots taken: idle, in use, being created and being destroyed.</summary>
    public int Total => Idle + InUse + Creating + Destroying;

    /// <summary>Open connections waiting in the pool.</summary>
    public int Idle { get; init; }

    /// <summary>Connections leased out: connections that hold at least one lease.</summary>
    public int InUse { get; init; }

    /// <summary>
    /// Leases handed out and not yet returned. Equals <see cref="InUse"/> when each connection serves
    /// one lease (<see cref="ConnectionPoolOptions.MaxLeasesPerConnection"/> = 1); otherwise between
    /// InUse and InUse × MaxLeasesPerConnection.
    /// </summary>
    public int Leases { get; init; }

    /// <summary>The most leases one connection holds now; 0 when no connection is in use.</summary>
    public int BusiestConnectionLeases { get; init; }

    /// <summary>
    /// The most leases one connection serves at once (<see cref="ConnectionPoolOptions.MaxLeasesPerConnection"/>).
    /// 0 in a snapshot not taken from a pool: then <see cref="FindInvariantViolation"/> skips the lease checks.
    /// </summary>
    public int MaxLeasesPerConnection { get; init; }

    /// <summary>Creates in flight.</summary>
    public int Creating { get; init; }

    /// <summary>Destroys in flight (their slots are held until the connection is closed).</summary>
    public int Destroying { get; init; }

    /// <summary>Acquirers queued for a connection.</summary>
    public int Waiters { get; init; }

    /// <summary>Whether the pool has been disposed.</summary>
    public bool IsDisposed { get; init; }

    /// <summary>Whether the fast-fail window is open: acquires that no idle connection serves fail at once.</summary>
    public bool IsUnavailable { get; init; }

    /// <summary>Creates that failed in a row since the last success.</summary>
    public int ConsecutiveCreateFailures { get; init; }

    /// <summary>Incremented by every <see cref="ConnectionPool{TConnection}.Clear"/>; older connections are retired.</summary>
    public long Generation { get; init; }

    /// <summary>Connections created since the pool started.</summary>
    public long Created { get; init; }

    /// <summary>Connections destroyed since the pool started (including destroys that threw).</summary>
    public long Destroyed { get; init; }

    /// <summary>Creates that failed.</summary>
    public long CreateFailures { get; init; }

    /// <summary>Destroys that threw.</summary>
    public long DestroyFailures { get; init; }

    /// <summary>Leases handed out.</summary>
    public long Acquired { get; init; }

    /// <summary>Acquires that timed out.</summary>
    public long TimedOut { get; init; }

    /// <summary>Acquires cancelled by their caller while waiting.</summary>
    public long Cancelled { get; init; }

    /// <summary>Acquires failed at once because the pool was unavailable.</summary>
    public long FailedFast { get; init; }

    /// <summary>Creates abandoned at <see cref="ConnectionPoolOptions.CreateTimeout"/> (their slots freed at once).</summary>
    public long CreateTimeouts { get; init; }

    /// <summary>Connections that arrived after their create was abandoned, destroyed without taking a slot.</summary>
    public long LateConnections { get; init; }

    /// <summary>Destroys that did not complete within <see cref="ConnectionPoolOptions.DestroyTimeout"/>: their slots were freed and the connection counted in <see cref="Abandoned"/> until the destroy completes.</summary>
    public long DestroyTimeouts { get; init; }

    /// <summary>
    /// Connections the backend may hold outside the slots: creates abandoned at CreateTimeout whose
    /// factory call is still running (<see cref="AbandonedCreates"/>), late connections being destroyed,
    /// and destroys abandoned at DestroyTimeout still running. They hold no slot; DisposeAsync waits for
    /// them too, and <c>Total + Abandoned</c> never exceeds <c>Ceiling + MaxConcurrentCreates</c>.
    /// </summary>
    public int Abandoned { get; init; }

    /// <summary>
    /// The part of <see cref="Abandoned"/> that is creates abandoned at CreateTimeout whose factory call
    /// is still running. They count against <see cref="MaxConcurrentCreates"/>:
    /// <c>Creating + AbandonedCreates</c> never exceeds it.
    /// </summary>
    public int AbandonedCreates { get; init; }

    /// <summary>Connections destroyed because a lease invalidated them.</summary>
    public long DestroyedInvalidated { get; init; }

    /// <summary>Connections destroyed because validation failed, threw or timed out.</summary>
    public long DestroyedValidationFailed { get; init; }

    /// <summary>Connections destroyed after <see cref="ConnectionPoolOptions.IdleTimeout"/>.</summary>
    public long DestroyedIdle { get; init; }

    /// <summary>Connections destroyed after their lifetime.</summary>
    public long DestroyedExpired { get; init; }

    /// <summary>Connections destroyed because <see cref="ConnectionPool{TConnection}.Clear"/> retired them.</summary>
    public long DestroyedCleared { get; init; }

    /// <summary>Connections destroyed because MaxSize was lowered below the number open.</summary>
    public long DestroyedSurplus { get; init; }

    /// <summary>Connections destroyed because the pool was disposed.</summary>
    public long DestroyedDisposed { get; init; }

    /// <summary>Connections that exist now: created and not yet destroyed.</summary>
    public long Live => Created - Destroyed;

    /// <summary>
    /// Checks this snapshot against the pool's invariants (docs/invariants.md): the same check the pool
    /// asserts in Debug builds and the Coyote and FsCheck suites run, for your own soak tests and monitors.
    /// </summary>
    /// <returns>
    /// Null when every invariant holds; otherwise the first one broken, as a sentence that starts with its
    /// identifier and name (for example "I1 Capacity violated: ...") and ends with the counts.
    /// </returns>
    public string? FindInvariantViolation() => Internal.PoolInvariants.FindViolation(this);
}
