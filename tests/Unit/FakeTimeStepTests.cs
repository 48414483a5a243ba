using Xunit.Sdk;

namespace Pool.Tests.Unit;

/// <summary>
/// The kit's fake-time stepping: a step returns only once the work it released has parked again,
/// whatever the thread pool's speed, and a wait that never ends fails instead of moving on.
/// </summary>
public sealed class FakeTimeStepTests
{
    private readonly ArmedTimerClock _time = new();
    private readonly FakeFactory _factory = new() { Gated = true };

    [Fact]
    public async Task StepAsync_ReleasingABackoff_ReturnsOnceTheCreateWaitsInTheFactory()
    {
        await using var pool = TestPools.Create(_factory, _time, maxSize: 1, minSize: 1, configure: o =>
        {
            o.BackoffInitial = TimeSpan.FromMilliseconds(100);
            o.Random = new FixedRandom(1.0);
        });
        await _factory.WaitForPendingAsync(1);
        _factory.FailNext(new IOException("refused"));

        await _time.SettledAsync();
        Assert.Equal((1, 0, 1), (_time.ParkedPauses, _factory.PendingCreates, pool.Checked().Creating));

        await _time.StepAsync(TimeSpan.FromMilliseconds(100));
        Assert.Equal((0, 1, 2), (_time.ParkedPauses, _factory.PendingCreates, _factory.CreateCalls));
    }

    [Fact]
    public async Task AdvanceUntilAsync_ConditionNeverHolds_FailsAfterExactlyTheFakeTimeLimit()
    {
        await using var pool = TestPools.Create(_factory, _time);
        var start = _time.GetUtcNow();

        var error = await Assert.ThrowsAsync<FailException>(
            () => _time.AdvanceUntilAsync(() => false, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), "nothing"));

        Assert.Equal("nothing did not happen within 00:00:01 of fake time (each step waited for the pool to settle).", error.Message);
        Assert.Equal(TimeSpan.FromSeconds(1), _time.GetUtcNow() - start);
    }

    [Fact]
    public async Task SettledAsync_WithoutARestCheck_ThrowsSayingHowToGiveOne()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => new ArmedTimerClock().SettledAsync());

        Assert.Equal("Say what rest means first: RestsWhen(...) or PoolRest.Follow(clock, pool, factory).", error.Message);
    }
}
