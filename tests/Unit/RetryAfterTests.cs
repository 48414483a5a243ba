using Pool.Tests.Unit.State;

namespace Pool.Tests.Unit;

/// <summary>
/// <see cref="PoolUnavailableException.RetryAfter"/>: the time until the fast-fail probe dials; while it
/// dials or before its backoff is chosen, BackoffInitial, or less when the probe's CreateTimeout comes sooner.
/// </summary>
public sealed class RetryAfterTests : PoolFixture<ArmedTimerClock>
{
    private static readonly IOException Refused = new("connection refused");

    /// <summary>
    /// DisposeTimeout 0: a test that fails with a create still hanging must not hang in dispose.
    /// BackoffInitial 100 ms, BackoffMax 1 s, CreateTimeout 250 ms, jitter draws 0.75: after k failures
    /// a probe waits max(100 ms, 0.75 · min(1 s, 100 ms · 2^(k−1))): 100, 150, 300 ms.
    /// </summary>
    private ConnectionPool<TestConnection> Create() =>
        TestPools.Create(Factory, Time, maxSize: 2, disposeTimeout: TimeSpan.Zero, configure: o =>
        {
            o.BackoffInitial = TimeSpan.FromMilliseconds(100);
            o.BackoffMax = TimeSpan.FromSeconds(1);
            o.CreateTimeout = TimeSpan.FromMilliseconds(250);
            o.FailFastAfter = 1;
            o.MaxConcurrentCreates = 1;
            o.Random = new FixedRandom(0.75);
        });

    [Fact]
    public async Task RetryAfter_CountsDownToTheProbe_IsCappedByItsCreateTimeoutWhileItDials_AndFollowsTheNextBackoff()
    {
        Factory.CreateError = Refused;
        await using var pool = Create();

        // The waiter failed when the window opened: no probe had its backoff chosen yet.
        var opening = await Assert.ThrowsAsync<PoolUnavailableException>(() => pool.AcquireAsync().AsTask());
        Assert.Equal(TimeSpan.FromMilliseconds(100), opening.RetryAfter);

        await ProbeBackoffArmedAsync(TimeSpan.FromMilliseconds(100));
        Assert.Equal(TimeSpan.FromMilliseconds(100), (await FailFastAsync(pool)).RetryAfter);
        Time.Advance(TimeSpan.FromMilliseconds(40));
        var counting = await FailFastAsync(pool);
        Assert.Equal(TimeSpan.FromMilliseconds(60), counting.RetryAfter);
        Assert.EndsWith("; retry after 60 ms (RetryAfter), when the next probe is due.", counting.Message, StringComparison.Ordinal);

        // The probe dials and fails at once: the next one waits 150 ms (two failures in a row).
        Time.Advance(TimeSpan.FromMilliseconds(60));
        await ProbeBackoffArmedAsync(TimeSpan.FromMilliseconds(150));
        Assert.Equal(TimeSpan.FromMilliseconds(150), (await FailFastAsync(pool)).RetryAfter);

        // That probe hangs: while it dials, BackoffInitial, until less of its CreateTimeout is left.
        Factory.Gated = true;
        Time.Advance(TimeSpan.FromMilliseconds(150));
        await Factory.WaitForPendingAsync(1);
        Assert.Equal(TimeSpan.FromMilliseconds(100), (await FailFastAsync(pool)).RetryAfter);
        Time.Advance(TimeSpan.FromMilliseconds(200));
        Assert.Equal(TimeSpan.FromMilliseconds(50), (await FailFastAsync(pool)).RetryAfter);

        // Abandoned at its CreateTimeout (a failure). Its factory call still counts as the one probe
        // until it ends (I8); then the next probe waits 300 ms.
        Time.Advance(TimeSpan.FromMilliseconds(50));
        Factory.FailNext(Refused); // the abandoned probe's factory call ends
        await ProbeBackoffArmedAsync(TimeSpan.FromMilliseconds(300));
        Time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(TimeSpan.FromMilliseconds(200), (await FailFastAsync(pool)).RetryAfter);
        var warmUp = await Assert.ThrowsAsync<PoolUnavailableException>(() => pool.WarmUpAsync());
        Assert.Equal(TimeSpan.FromMilliseconds(200), warmUp.RetryAfter);
        Assert.Equal((1L, 3L), (pool.Checked().CreateTimeouts, pool.Checked().CreateFailures));
    }

    [Fact]
    public async Task RetryAfter_WithoutCreateTimeout_IsBackoffInitialWhileTheProbeDials()
    {
        Factory.CreateError = Refused;
        await using var pool = TestPools.Create(Factory, Time, maxSize: 1, disposeTimeout: TimeSpan.Zero, configure: o =>
        {
            o.BackoffInitial = TimeSpan.FromMilliseconds(100);
            o.FailFastAfter = 1;
            o.Random = new FixedRandom(0);
        });
        await Assert.ThrowsAsync<PoolUnavailableException>(() => pool.AcquireAsync().AsTask());
        await ProbeBackoffArmedAsync(TimeSpan.FromMilliseconds(100));
        Factory.Gated = true;
        Time.Advance(TimeSpan.FromMilliseconds(100));
        await Factory.WaitForPendingAsync(1);

        Time.Advance(TimeSpan.FromHours(1));

        Assert.Equal(TimeSpan.FromMilliseconds(100), (await FailFastAsync(pool)).RetryAfter);
        Factory.CreateError = null;
        Factory.CompleteNext();
        await Waits.Until(() => !pool.GetStatistics().IsUnavailable, "the probe closed the window");
    }

    [Fact]
    public void State_ProbeSchedule_IsReportedWhileTheWindowIsOpen_AndClearedWhenACreateFails()
    {
        var rig = new StateRig(maxSize: 2, failFastAfter: 1);
        rig.Reserve(StateRig.Wait);
        rig.Fail(Refused);
        Assert.Null(rig.Reserve(StateRig.Wait).Probe); // the probe is reserved, its backoff not chosen yet

        rig.State.ProbeScheduled(new ProbeSchedule(1_100, 1_350));
        Assert.Equal(new ProbeSchedule(1_100, 1_350), rig.Reserve(StateRig.Wait).Probe);
        Assert.Equal(new WarmUpRefusal(Refused, 1, new ProbeSchedule(1_100, 1_350)), rig.State.RegisterWarmUp(new TaskCompletionSource(), out _));

        rig.Fail(Refused); // the probe failed: the next one is reserved, its backoff not chosen yet
        Assert.Null(rig.Reserve(StateRig.Wait).Probe);
        Assert.Equal((2, 1), (rig.Stats.ConsecutiveCreateFailures, rig.Stats.Creating));
    }

    [Fact]
    public void Exception_RetryAfter_IsNullFromTheOtherConstructorsAndNeverNegative()
    {
        Assert.Null(new PoolUnavailableException().RetryAfter);
        Assert.Null(new PoolUnavailableException("down").RetryAfter);
        Assert.Null(new PoolUnavailableException("down", Refused).RetryAfter);
        var error = new PoolUnavailableException("down", Refused, TimeSpan.FromMilliseconds(250));
        Assert.Equal((TimeSpan.FromMilliseconds(250), "down", (Exception)Refused), (error.RetryAfter!.Value, error.Message, error.InnerException!));
        Assert.Equal(TimeSpan.Zero, new PoolUnavailableException("down", Refused, TimeSpan.Zero).RetryAfter);
        var negative = Assert.Throws<ArgumentOutOfRangeException>(() => new PoolUnavailableException("down", Refused, TimeSpan.FromTicks(-1)));
        Assert.Equal("retryAfter", negative.ParamName);
    }

    private static async Task<PoolUnavailableException> FailFastAsync(ConnectionPool<TestConnection> pool)
    {
        var acquire = pool.AcquireAsync();
        Assert.True(acquire.IsFaulted, "the acquire failed at once");
        return await Assert.ThrowsAsync<PoolUnavailableException>(() => acquire.AsTask());
    }

    /// <summary>
    /// Waits until the pool has armed the probe's backoff timer (its schedule is recorded before). Each
    /// backoff in these tests has a length no other timer has; counting all timers would race (a waiter
    /// whose create failed before its timer was armed arms none).
    /// </summary>
    private Task ProbeBackoffArmedAsync(TimeSpan backoff) =>
        Waits.Until(() => Time.Armed.Contains(backoff), $"the probe's {backoff.TotalMilliseconds} ms backoff is armed");
}
