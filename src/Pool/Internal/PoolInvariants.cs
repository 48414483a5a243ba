namespace Pool.Internal;

/// <summary>
/// The invariants of ../shared/notes/invariants.md, written once. The pool asserts them after every
/// state change in Debug builds; the Coyote scenarios and the FsCheck steps assert the same checks
/// on <see cref="PoolStatistics"/> snapshots.
/// </summary>
internal static class PoolInvariants
{
    /// <summary>The first invariant the snapshot breaks, as a sentence naming it and the counts; null if none.</summary>
    public static string? FindViolation(in PoolStatistics s)
    {
        if (s.Idle < 0 || s.InUse < 0 || s.Creating < 0 || s.Destroying < 0 || s.Waiters < 0 || s.Abandoned < 0
            || s.Created < 0 || s.Destroyed < 0 || s.CreateFailures < 0 || s.DestroyFailures < 0
            || s.Acquired < 0 || s.TimedOut < 0 || s.Cancelled < 0)
        {
            return Describe("I7 At most once", "a count went negative.", s);
        }

        if (s.Total > s.Ceiling || s.Ceiling < s.MaxSize)
        {
            return Describe("I1 Capacity", $"Total {s.Total} exceeds the ceiling {s.Ceiling} (MaxSize {s.MaxSize}).", s);
        }

        if (s.Idle > 0 && s.Idle + s.InUse + s.Creating > s.MaxSize)
        {
            return Describe("I1 Capacity", $"{s.Idle} connections are kept idle while idle + in use + creating exceeds MaxSize {s.MaxSize}.", s);
        }

        if (s.Creating > s.MaxConcurrentCreates)
        {
            return Describe("I8 Creates are bounded", $"{s.Creating} creates are in flight, more than MaxConcurrentCreates {s.MaxConcurrentCreates}.", s);
        }

        if (s.Destroyed > s.Created)
        {
            return Describe("I7 At most once", $"more connections were destroyed ({s.Destroyed}) than created ({s.Created}).", s);
        }

        if (s.Live != s.Idle + s.InUse + s.Destroying)
        {
            return Describe(
                "I3 Conservation across hand-off",
                $"{s.Live} connections are alive (created − destroyed) but the pool accounts for {s.Idle + s.InUse + s.Destroying} (idle + in use + destroying).",
                s);
        }

        if (s.Waiters > 0 && s.Idle > 0)
        {
            return Describe("I4 No lost wake-up", $"{s.Waiters} waiters are parked while {s.Idle} connections are idle.", s);
        }

        if (s.Waiters > s.Creating && s.Total < s.MaxSize && s.Creating < s.MaxConcurrentCreates && !s.IsUnavailable && !s.IsDisposed)
        {
            return Describe(
                "I4 No lost wake-up",
                $"{s.Waiters - s.Creating} waiters have no create coming although {s.MaxSize - s.Total} slots are free.",
                s);
        }

        if (s.IsUnavailable && s.Waiters > 0)
        {
            return Describe("I5 Cancellation and timeout are safe", $"{s.Waiters} waiters are parked while the pool fails fast.", s);
        }

        if (s.IsDisposed && (s.Waiters > 0 || s.Idle > 0))
        {
            return Describe("I9 Dispose is complete", "a disposed pool still has waiters or idle connections.", s);
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
