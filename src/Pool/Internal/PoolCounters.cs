namespace Pool.Internal;

/// <summary>
/// The pool's running totals (monotonic counters, never gauges). A field of <see cref="PoolState{TConnection}"/>,
/// guarded by its lock like every other field there; copied out only through <see cref="AddTo"/>, so a
/// snapshot is built in one place.
/// </summary>
internal struct PoolCounters
{
    public long Created;
    public long Destroyed;
    public long CreateFailures;
    public long DestroyFailures;
    public long Acquired;
    public long TimedOut;
    public long Cancelled;
    public long FailedFast;
    public long CreateTimeouts;
    public long LateConnections;
    public long DestroyTimeouts;
    public long DestroyedInvalidated;
    public long DestroyedValidationFailed;
    public long DestroyedIdle;
    public long DestroyedExpired;
    public long DestroyedCleared;
    public long DestroyedSurplus;
    public long DestroyedDisposed;

    /// <summary>Counts a retirement under its reason (the destroy itself is counted when it finishes).</summary>
    public void Retired(DestroyReason reason)
    {
        switch (reason)
        {
            case DestroyReason.Invalidated: DestroyedInvalidated++; break;
            case DestroyReason.ValidationFailed: DestroyedValidationFailed++; break;
            case DestroyReason.Idle: DestroyedIdle++; break;
            case DestroyReason.Expired: DestroyedExpired++; break;
            case DestroyReason.Cleared: DestroyedCleared++; break;
            case DestroyReason.Surplus: DestroyedSurplus++; break;
            default: DestroyedDisposed++; break;
        }
    }

    /// <summary>The snapshot: <paramref name="gauges"/> (counts and settings) with these counters filled in.</summary>
    public readonly PoolStatistics AddTo(in PoolStatistics gauges) => gauges with
    {
        Created = Created,
        Destroyed = Destroyed,
        CreateFailures = CreateFailures,
        DestroyFailures = DestroyFailures,
        Acquired = Acquired,
        TimedOut = TimedOut,
        Cancelled = Cancelled,
        FailedFast = FailedFast,
        CreateTimeouts = CreateTimeouts,
        LateConnections = LateConnections,
        DestroyTimeouts = DestroyTimeouts,
        DestroyedInvalidated = DestroyedInvalidated,
        DestroyedValidationFailed = DestroyedValidationFailed,
        DestroyedIdle = DestroyedIdle,
        DestroyedExpired = DestroyedExpired,
        DestroyedCleared = DestroyedCleared,
        DestroyedSurplus = DestroyedSurplus,
        DestroyedDisposed = DestroyedDisposed,
    };
}
