namespace Pool;

/// <summary>
/// A consistent snapshot of a pool's state and counters, taken under the pool's lock.
/// <c>Total = Idle + InUse + Creating + Destroying</c> and never exceeds <see cref="MaxSize"/>.
/// </summary>
public readonly record struct PoolStatistics
{
    /// <summary>The pool's maximum size.</summary>
    public int MaxSize { get; init; }

    /// <summary>Slots taken: idle, in use, being created and being destroyed.</summary>
    public int Total => Idle + InUse + Creating + Destroying;

    /// <summary>Open connections waiting in the pool.</summary>
    public int Idle { get; init; }

    /// <summary>Connections leased out.</summary>
    public int InUse { get; init; }

    /// <summary>Creates in flight.</summary>
    public int Creating { get; init; }

    /// <summary>Destroys in flight (their slots are held until the connection is closed).</summary>
    public int Destroying { get; init; }

    /// <summary>Acquirers queued for a connection.</summary>
    public int Waiters { get; init; }

    /// <summary>Whether the pool has been disposed.</summary>
    public bool IsDisposed { get; init; }

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

    /// <summary>Connections that exist now: created and not yet destroyed.</summary>
    public long Live => Created - Destroyed;
}
