namespace Pool.Internal;

/// <summary>
/// The invariants of docs/invariants.md, written once. <see cref="PoolState{TConnection}"/> asserts
/// them after every operation in Debug builds; the Coyote scenarios and the FsCheck steps assert the
/// same checks on <see cref="PoolStatistics"/> snapshots. Every violation message starts with the
/// invariant's identifier and name, as below, and nothing else names an invariant.
/// </summary>
internal static class PoolInvariants
{
    public const string Capacity = "I1 Capacity";
    public const string FailedCreateServesAWaiter = "I2 A failed create frees its slot and serves a waiter";
    public const string Conservation = "I3 Conservation across hand-off";
    public const string NoLostWakeUp = "I4 No lost wake-up";
    public const string CancellationIsSafe = "I5 Cancellation and timeout are safe";
    public const string EvictionFreesCapacity = "I6 Eviction frees capacity";
    public const string AtMostOnce = "I7 At most once";
    public const string CreatesBelongToThePool = "I8 Creates belong to the pool";
    public const string DisposeIsComplete = "I9 Dispose is complete";
    public const string MaintenanceNeverStarves = "I10 Maintenance never starves";
    public const string OneCallAtATime = "I11 One call at a time per connection";
    public const string LeasesWithinLimit = "I12 Leases within the limit";
    public const string LeaseConservation = "I13 Lease conservation";
    public const string OnlyUsableConnectionsTakeLeases = "I14 Only usable connections take leases";
    public const string NoWaiterBesideRoom = "I15 No waiter beside room";

    /// <summary>The first invariant the snapshot breaks, as a sentence naming it and the counts; null if none.</summary>
    public static string? FindViolation(in PoolStatistics s)
    {
        if (s.Idle < 0 || s.InUse < 0 || s.Creating < 0 || s.Destroying < 0 || s.Waiters < 0 || s.Abandoned < 0 || s.AbandonedCreates < 0
            || s.Created < 0 || s.Destroyed < 0 || s.CreateFailures < 0 || s.DestroyFailures < 0
            || s.Acquired < 0 || s.TimedOut < 0 || s.Cancelled < 0)
        {
            return Describe(AtMostOnce, "a count went negative.", s);
        }

        if (s.Total > s.Ceiling || s.Ceiling < s.MaxSize)
        {
            return Describe(Capacity, $"Total {s.Total} exceeds the ceiling {s.Ceiling} (MaxSize {s.MaxSize}).", s);
        }

        if (s.Idle > 0 && s.Idle + s.InUse + s.Creating > s.MaxSize)
        {
            return Describe(Capacity, $"{s.Idle} connections are kept idle while idle + in use + creating exceeds MaxSize {s.MaxSize}.", s);
        }

        if (s.AbandonedCreates > s.Abandoned)
        {
            return Describe(Capacity, $"{s.AbandonedCreates} abandoned creates are counted but only {s.Abandoned} abandoned connections.", s);
        }

        if (s.Total + s.Abandoned > s.Ceiling + s.MaxConcurrentCreates)
        {
            return Describe(
                Capacity,
                $"the backend may hold {s.Total + s.Abandoned} of the pool's connections (Total {s.Total} + Abandoned {s.Abandoned}), more than the ceiling {s.Ceiling} + MaxConcurrentCreates {s.MaxConcurrentCreates}.",
                s);
        }

        if (s.Creating + s.AbandonedCreates > s.MaxConcurrentCreates)
        {
            return Describe(
                CreatesBelongToThePool,
                $"{s.Creating + s.AbandonedCreates} factory create calls may be in flight (Creating {s.Creating} + AbandonedCreates {s.AbandonedCreates}), more than MaxConcurrentCreates {s.MaxConcurrentCreates}.",
                s);
        }

        if (s.Destroyed > s.Created)
        {
            return Describe(AtMostOnce, $"more connections were destroyed ({s.Destroyed}) than created ({s.Created}).", s);
        }

        if (s.Live != s.Idle + s.InUse + s.Destroying)
        {
            return Describe(
                Conservation,
                $"{s.Live} connections are alive (created − destroyed) but the pool accounts for {s.Idle + s.InUse + s.Destroying} (idle + in use + destroying).",
                s);
        }

        if (s.Waiters > 0 && s.Idle > 0)
        {
            return Describe(NoLostWakeUp, $"{s.Waiters} waiters are parked while {s.Idle} connections are idle.", s);
        }

        // A create on its way serves up to K waiters (K = MaxLeasesPerConnection; 1 in a snapshot that does not report it).
        if (s.Waiters > s.Creating * Math.Max(1, s.MaxLeasesPerConnection) && s.Total < s.MaxSize && s.Creating + s.AbandonedCreates < Math.Min(s.MaxConcurrentCreates, s.MaxSize)
            && s.Total + s.Abandoned < s.MaxSize + s.MaxConcurrentCreates && !s.IsUnavailable && !s.IsDisposed)
        {
            return Describe(
                NoLostWakeUp,
                $"{s.Waiters - s.Creating} waiters have no create coming although {s.MaxSize - s.Total} slots are free.",
                s);
        }

        if (s.IsUnavailable && s.Waiters > 0)
        {
            return Describe(CancellationIsSafe, $"{s.Waiters} waiters are parked while the pool fails fast.", s);
        }

        if (s.IsDisposed && (s.Waiters > 0 || s.Idle > 0))
        {
            return Describe(DisposeIsComplete, "a disposed pool still has waiters or idle connections.", s);
        }

        return s.MaxLeasesPerConnection > 0 ? FindLeaseViolation(s) : null;
    }

    /// <summary>
    /// The lease counts against the connection counts (I12, I13). A snapshot that does not report
    /// MaxLeasesPerConnection (0: built by hand, not by a pool) is not checked here.
    /// </summary>
    private static string? FindLeaseViolation(in PoolStatistics s)
    {
        int k = s.MaxLeasesPerConnection;
        if (s.Leases < 0 || s.BusiestConnectionLeases < 0)
        {
            return Describe(LeaseConservation, "a lease count went negative: a lease came back more often than it was handed out.", s);
        }

        if (s.BusiestConnectionLeases > k || (long)s.Leases > (long)s.InUse * k)
        {
            return Describe(
                LeasesWithinLimit,
                $"{s.Leases} leases are out on {s.InUse} connections in use, the busiest holding {s.BusiestConnectionLeases}, beyond MaxLeasesPerConnection {k} each.",
                s);
        }

        if (s.Leases < s.InUse || s.Leases < s.BusiestConnectionLeases || (s.InUse == 0) != (s.BusiestConnectionLeases == 0)
            || s.Leases > s.BusiestConnectionLeases * (long)s.InUse)
        {
            return Describe(
                LeaseConservation,
                $"{s.Leases} leases are out but {s.InUse} connections are in use, the busiest holding {s.BusiestConnectionLeases}.",
                s);
        }

        return null;
    }

    /// <summary>Throws <see cref="PoolInvariantException"/> if the snapshot breaks an invariant.</summary>
    public static void Assert(in PoolStatistics s)
    {
        string? violation = FindViolation(s);
        if (violation is not null)
        {
            throw new PoolInvariantException(violation);
        }
    }

    /// <summary>A check that holds in every build: an impossible state is a bug in the pool.</summary>
    public static void Require(bool condition, string invariant, string what)
    {
        if (!condition)
        {
            throw new PoolInvariantException($"{invariant} violated: {what}");
        }
    }

    private static string Describe(string invariant, string what, in PoolStatistics s) =>
        $"{invariant} violated: {what} Counts: MaxSize={s.MaxSize}, Total={s.Total}, Idle={s.Idle}, "
        + $"InUse={s.InUse}, Creating={s.Creating}, Destroying={s.Destroying}, Waiters={s.Waiters}, "
        + $"Abandoned={s.Abandoned}, AbandonedCreates={s.AbandonedCreates}, "
        + $"Created={s.Created}, Destroyed={s.Destroyed}, Unavailable={s.IsUnavailable}, Disposed={s.IsDisposed}.";
}

/// <summary>A broken pool invariant: always a bug in the pool, never the caller's fault.</summary>
internal sealed class PoolInvariantException : InvalidOperationException
{
    public PoolInvariantException(string message)
        : base(message)
    {
    }
}
