using Pool.Tests.Properties.Model;
using Xunit.Abstractions;

namespace Pool.Tests.Properties;

/// <summary>
/// The shrunk counterexamples of the pool bugs the model-based property found, replayed exactly
/// (config number and choice list as FsCheck printed them). All three are fixed in src/Pool; these
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

    private void Replay(uint config, uint[] choices)
    {
        var result = ModelRun.Run(config, choices, c => new RealPool(c), restricted: false, avoidKnownBugs: false);
        output.WriteLine(result.Report);
        Assert.True(result.Passed, result.Report);
    }
}
