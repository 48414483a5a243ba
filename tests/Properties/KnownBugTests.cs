namespace Pool.Tests.Properties;

/// <summary>
/// The shrunk counterexamples of the pool bugs the model-based property found, replayed exactly
/// (config number and choice list as FsCheck printed them). All four are fixed in src/Pool; these
/// replays keep them fixed.
/// </summary>
public sealed class KnownBugTests(ITestOutputHelper output)
{
    /// <summary>
    /// Bug 1: AcquireAsync with an infinite timeout (or AcquireTimeout = infinite) whose idle connection
    /// fails validation throws PoolExhaustedException at once: Remaining() returns InfiniteTimeSpan
    /// (−1 ms), which the retry check "remaining &lt;= 0" reads as "deadline passed".
    /// </summary>
    [Fact]
    public void InfiniteTimeoutAcquire_AfterAFailedValidation_GetsALease() => Replay(39, [178, 0, 25, 45, 0]);

    /// <summary>
    /// Bug 2: SetMaxSize below the creates in flight makes MaxConcurrentCreates (capped to MaxSize)
    /// smaller than Creating: invariant I8 breaks (Debug builds throw PoolInvariantException from SetMaxSize).
    /// </summary>
    [Fact]
    public void LoweringMaxSize_WhileCreatesAreInFlight_KeepsInvariantI8() => Replay(20, [270, 0, 0, 188]);

    /// <summary>
    /// Bug 3: SetMaxSize(1) with 2 idle connections destroys both, not 1: each retired connection still
    /// counts in Total (as Destroying) while the loop "while Total &gt; MaxSize" runs, so it never stops early.
    /// </summary>
    [Fact]
    public void LoweringMaxSize_DestroysOnlyTheSurplus() => Replay(0, [0, 0, 3588, 7425, 9025, 9388]);

    /// <summary>
    /// Bug 4: an acquire that retires two expired idle connections (destroy throwing, MinSize 2) while
    /// creates fail. The pool started its own create before the destroys, so whether the MinSize refill
    /// (reserved when the destroys freed their slots) waited a backoff depended on the thread pool:
    /// the create sometimes failed first. Destroys now start first; found by CI's FsCheck run.
    /// </summary>
    [Fact]
    public void CreatesReservedInOneInstant_SeeOneBackoffState() => Replay(2051, [0, 5982, 3825, 6774, 6005, 25, 4752, 1339, 8374]);

    private void Replay(uint config, uint[] choices)
    {
        var result = ModelRun.Run(config, choices, c => new LockstepRealPool(c), restricted: false);
        output.WriteLine(result.Report);
        Assert.True(result.Passed, result.Report);
    }
}
