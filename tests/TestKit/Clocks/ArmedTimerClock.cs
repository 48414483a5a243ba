using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace Pool.Tests.Kit;

/// <summary>For unit tests on fake time: a FakeTimeProvider that lets a test wait until the pool has armed a timer, so advancing time never races it.</summary>
public sealed class ArmedTimerClock : FakeTimeProvider
{
    private readonly object _gate = new();
    private readonly List<TimeSpan> _armed = [];

    /// <summary>Due times of every timer created so far, in creation order.</summary>
    public IReadOnlyList<TimeSpan> Armed
    {
        get { lock (_gate) { return _armed.ToArray(); } }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        lock (_gate)
        {
            _armed.Add(dueTime);
        }

        return timer;
    }

    public Task UntilArmedAsync(int count, string what) => Waits.Until(() => Armed.Count >= count, what);

    /// <summary>Advances in steps until the condition holds, letting the pool's continuations run between steps.</summary>
    public async Task AdvanceUntilAsync(Func<bool> condition, TimeSpan step, TimeSpan limit, string what)
    {
        var advanced = TimeSpan.Zero;
        while (!condition())
        {
            if (advanced >= limit)
            {
                Assert.Fail($"{what} did not happen within {limit} of fake time.");
            }

            Advance(step);
            advanced += step;

            // Let the continuations the step released run before moving the clock again. Bounded by
            // yields and a few milliseconds of wall clock (a loaded CI machine needs more than a few
            // yields); this never waits for time to pass, only for work already released to finish.
            var settle = Stopwatch.StartNew();
            while (!condition() && settle.ElapsedMilliseconds < 20)
            {
                await Task.Yield();
            }
        }
    }
}
