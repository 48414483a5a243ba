namespace Pool.Internal;

/// <summary>
/// What one acquire attempt (<see cref="PoolState{TConnection}.Reserve"/>) got: a lease, a place in
/// the queue, or a refusal. The shell builds the refusal's exception after the lock.
/// </summary>
internal struct Reservation<TConnection>
{
    /// <summary>An idle connection leased at once; default when none.</summary>
    public PooledConnection<TConnection> Lease;

    /// <summary>The queued waiter to await; null unless the acquire joined the queue.</summary>
    public Waiter<TConnection>? Waiter;

    /// <summary>The pool is disposed.</summary>
    public bool Disposed;

    /// <summary>The fast-fail window is open: the last create error, and how many failed in a row.</summary>
    public Exception? UnavailableCause;

    public int Failures;

    /// <summary>When the fast-fail probe dials, if the shell has chosen its backoff yet: the refusal's RetryAfter.</summary>
    public ProbeSchedule? Probe;
}
