using Pool.Internal;

namespace Pool.Tests.Unit;

/// <summary>
/// The coarse clock on <see cref="TimeProvider.System"/>: its readings move once per kernel tick, so
/// each rule is widened by one tick the safe way (an eviction, a leak report or a timeout never early,
/// a check on borrow never skipped when due); any other provider's rules stay exact.
/// </summary>
public sealed class CoarseClockTests
{
    private const long MinutesOfMilliseconds = 60_000;

    [Fact]
    public void SystemClock_WidensEachRuleByOneTickTheSafeWay()
    {
        var clock = new GuardedClock(TimeProvider.System);

        Assert.True(clock.IsCoarse);
        Assert.Equal(TimeSpan.FromMilliseconds(20), GuardedClock.CoarseTickBound);
        Assert.Equal(1_000, clock.TimestampFrequency);
        Assert.Equal(10 * MinutesOfMilliseconds + 20, clock.NotBefore(TimeSpan.FromMinutes(10)));
        Assert.Equal(30, clock.NotBefore(TimeSpan.FromMilliseconds(10)));
        Assert.Equal(480, clock.NoLaterThan(TimeSpan.FromMilliseconds(500)));
        Assert.Equal(1, clock.NoLaterThan(TimeSpan.FromMilliseconds(21)));
        Assert.Equal(long.MinValue / 2, clock.NoLaterThan(TimeSpan.FromMilliseconds(20)));
        Assert.Equal(long.MinValue / 2, clock.NoLaterThan(TimeSpan.Zero));
        Assert.Equal(long.MaxValue, clock.NotBefore(Timeout.InfiniteTimeSpan));
        Assert.Equal(long.MaxValue, clock.NoLaterThan(Timeout.InfiniteTimeSpan));
        Assert.Equal(TimeSpan.Zero, clock.SurelyElapsed(1_000, 1_020));
        Assert.Equal(TimeSpan.FromMilliseconds(10), clock.SurelyElapsed(1_000, 1_030));
    }

    [Fact]
    public void OtherProviders_KeepEachRuleExact()
    {
        var time = new FakeTimeProvider();
        var clock = new GuardedClock(time);
        long perMillisecond = time.TimestampFrequency / 1_000;

        Assert.False(clock.IsCoarse);
        Assert.Equal(10 * perMillisecond, clock.NotBefore(TimeSpan.FromMilliseconds(10)));
        Assert.Equal(500 * perMillisecond, clock.NoLaterThan(TimeSpan.FromMilliseconds(500)));
        Assert.Equal(0, clock.NoLaterThan(TimeSpan.Zero));
        Assert.Equal(long.MaxValue, clock.NotBefore(Timeout.InfiniteTimeSpan));
        Assert.Equal(TimeSpan.FromMilliseconds(3), clock.SurelyElapsed(0, 3 * perMillisecond));
    }

    /// <summary>
    /// A model of a ticking clock: real time in microseconds, read as the last tick at or before it,
    /// truncated to milliseconds (as <see cref="Environment.TickCount64"/> reports it). For every phase
    /// and every real duration, the pool's comparisons on the widened thresholds never evict (idle,
    /// lifetime: <c>measured ≥ NotBefore</c>) before the setting really passed, never skip a check on
    /// borrow (<c>measured &gt; NoLaterThan</c>) that is really due, and never count more time gone
    /// than really went.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(10)]
    [InlineData(15.625)]
    [InlineData(16)]
    [InlineData(19)]
    public void ATickingClock_NeverEvictsEarly_NeverSkipsADueCheck_NeverTimesOutEarly(double tickMilliseconds)
    {
        var clock = new GuardedClock(TimeProvider.System);
        long tick = (long)(tickMilliseconds * 1_000);
        var settings = new[] { 1, 5, 10, 21, 50, 500 }.Select(ms => TimeSpan.FromMilliseconds(ms)).ToArray();
        long Read(long micros) => (micros - (micros % tick)) / 1_000;

        for (long start = 0; start < 2 * tick; start += 137)
        {
            for (long real = 0; real <= 600_000; real += real < 40_000 ? 250 : 9_973)
            {
                long measured = Read(start + real) - Read(start);
                foreach (var setting in settings)
                {
                    long settingMicros = setting.Ticks / 10;
                    if (measured >= clock.NotBefore(setting))
                    {
                        Assert.True(real >= settingMicros, $"tick {tickMilliseconds} ms: evicted after {real} µs for a setting of {setting}");
                    }

                    if (real > settingMicros)
                    {
                        Assert.True(measured > clock.NoLaterThan(setting), $"tick {tickMilliseconds} ms: skipped a check due after {real} µs for a setting of {setting}");
                    }
                }

                Assert.True(clock.SurelyElapsed(Read(start), Read(start + real)).Ticks / 10 <= real, $"tick {tickMilliseconds} ms: counted more than {real} µs gone");
            }
        }
    }
}
