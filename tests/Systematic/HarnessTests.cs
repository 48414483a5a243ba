namespace Pool.Tests.Systematic;

/// <summary>The harness's own parts, explored by Coyote like the pool is: a broken timer would make every timeout scenario lie.</summary>
public static class HarnessScenarios
{
    /// <summary>A one-shot timer fires once, after the clock reached its deadline; a disposed timer stops firing.</summary>
    [Test]
    public static async Task ControlledTimersFireOnceAndStopWhenDisposed()
    {
        var time = new CoyoteClock();
        var oneShot = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        int oneShotFired = 0;
        using var timer = time.CreateTimer(
            _ =>
            {
                oneShotFired++;
                oneShot.TrySetResult(time.GetTimestamp());
            },
            null, TimeSpan.FromSeconds(5), Timeout.InfiniteTimeSpan);

        int periodicFired = 0;
        bool disposed = false;
        var periodic = time.CreateTimer(
            _ =>
            {
                Check.That(!disposed, "Harness", "a timer fired after Dispose returned.");
                periodicFired++;
            },
            null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        var stop = Task.Run(async () =>
        {
            await Task.Yield();
            periodic.Dispose();
            disposed = true;
        });

        long firedAt = await oneShot.Task;
        await stop;
        Check.That(firedAt >= TimeSpan.FromSeconds(5).Ticks, "Harness", $"the one-shot timer fired at {firedAt} ticks, before its 5 s deadline.");
        Check.That(time.GetUtcNow() >= new DateTimeOffset(2025, 1, 1, 0, 0, 5, TimeSpan.Zero), "Harness", "GetUtcNow does not follow the fake clock.");
        Check.That(oneShotFired == 1, "Harness", $"the one-shot timer fired {oneShotFired} times.");
        Check.That(time.TimersCreated == 2 && time.TimersFired >= 1 + periodicFired, "Harness", "timers were not counted.");
    }

    /// <summary>
    /// Change reschedules: after it returns, the old due time is dropped (a firing on the old schedule
    /// may only happen before Change, as with a real timer); Change(Infinite) disarms.
    /// </summary>
    [Test]
    public static async Task ControlledTimerChangeDropsTheOldSchedule()
    {
        var time = new CoyoteClock();
        long deadline = TimeSpan.FromSeconds(10).Ticks;
        var firedOnNewSchedule = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bool changed = false;
        int onNewSchedule = 0;
        using var timer = time.CreateTimer(
            _ =>
            {
                long now = time.GetTimestamp();
                Check.That(now >= deadline || !changed, "Harness", $"the timer fired at {now} ticks on its old schedule after Change returned.");
                if (now >= deadline)
                {
                    onNewSchedule++;
                    firedOnNewSchedule.TrySetResult();
                }
            },
            null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        Check.That(timer.Change(TimeSpan.FromSeconds(10), Timeout.InfiniteTimeSpan), "Harness", "Change on a live timer returned false.");
        changed = true;

        await firedOnNewSchedule.Task;
        Check.That(timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan), "Harness", "Change on a live timer returned false.");
        await Task.Yield();
        Check.That(onNewSchedule == 1, "Harness", $"the timer fired {onNewSchedule} times on its new schedule.");
    }
}

public sealed class HarnessTests(ITestOutputHelper output)
{
    [Fact]
    public void ControlledTimers_FireOnceAfterTheirDeadlineAndNeverAfterDispose() =>
        CoyoteRunner.AssertNoBug(HarnessScenarios.ControlledTimersFireOnceAndStopWhenDisposed, output, CoyoteSettings.CanaryIterations);

    [Fact]
    public void ControlledTimerChange_DropsTheOldSchedule() =>
        CoyoteRunner.AssertNoBug(HarnessScenarios.ControlledTimerChangeDropsTheOldSchedule, output, CoyoteSettings.CanaryIterations);

    [Fact]
    public void Runner_RefusesAScenarioThatIsNotATestEntryPoint()
    {
        var error = Assert.ThrowsAny<Exception>(() => CoyoteRunner.Explore(NotAnEntryPoint, 1));
        Assert.Contains("[Microsoft.Coyote.SystematicTesting.Test]", error.Message, StringComparison.Ordinal);
    }

    private static Task NotAnEntryPoint() => Task.CompletedTask;
}
