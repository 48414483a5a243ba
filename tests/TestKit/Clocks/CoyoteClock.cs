namespace Pool.Tests.Kit;

/// <summary>
/// For Coyote scenarios: a clock whose timers race everything else. No wall-clock time: the clock only moves when a timer
/// fires, and a timer fires from its own controlled task (<see cref="Task.Run(Func{Task})"/> then
/// <see cref="Task.Delay(TimeSpan)"/>, whose duration Coyote ignores), so the scheduler decides when a
/// timeout happens relative to everything else: "grant wins" and "timeout wins" are both explored.
/// </summary>
/// <remarks>
/// Only for code running under Coyote, which runs one operation at a time and switches only at
/// scheduling points. The bookkeeping here has no scheduling point inside it, so it needs no lock;
/// a lock would only add interleavings of test code that Coyote would waste time exploring.
/// </remarks>
public sealed class CoyoteClock : TimeProvider
{
    private static readonly DateTimeOffset Epoch = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private long _now;    // ticks since Epoch
    private int _created;
    private int _disposed;
    private int _fired;

    /// <summary>Ticks (100 ns) per second, so timestamps and <see cref="TimeSpan"/> ticks agree.</summary>
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <summary>Timers created so far (a scenario can check that a timeout path ran).</summary>
    public int TimersCreated => _created;

    /// <summary>Timers created and not yet disposed: a fired one-shot timer counts until it is disposed, as a real one holds its callback until then.</summary>
    public int TimersLive => _created - _disposed;

    /// <summary>Timer callbacks run so far.</summary>
    public int TimersFired => _fired;

    public override long GetTimestamp() => _now;

    public override DateTimeOffset GetUtcNow() => Epoch + TimeSpan.FromTicks(GetTimestamp());

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        _created++;
        var timer = new ControlledTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Moves the clock forward to <paramref name="ticks"/> (never backwards).</summary>
    public void AdvanceTo(long ticks) => _now = Math.Max(_now, ticks);

    /// <summary>Moves the clock forward by <paramref name="delta"/>; timers do not fire because of it.</summary>
    public void Advance(TimeSpan delta) => _now += delta.Ticks;

    private void CountFired() => _fired++;

    private void CountDisposed() => _disposed++;

    private sealed class ControlledTimer(CoyoteClock clock, TimerCallback callback, object? state) : ITimer
    {
        private int _generation; // bumped by every Change and by Dispose
        private bool _disposed;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            if (_disposed)
            {
                return false;
            }

            int generation = ++_generation;
            if (dueTime != Timeout.InfiniteTimeSpan)
            {
                long deadline = clock.GetTimestamp() + dueTime.Ticks;
                _ = Task.Run(() => FireAsync(generation, deadline, dueTime, period));
            }

            return true;
        }

        public void Dispose()
        {
            if (!_disposed)
            {
                clock.CountDisposed();
            }

            _disposed = true;
            _generation++;
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return default;
        }

        private bool IsCurrent(int generation) => !_disposed && generation == _generation;

        private async Task FireAsync(int generation, long deadline, TimeSpan dueTime, TimeSpan period)
        {
            while (true)
            {
                // Coyote ignores the duration and chooses when the delay ends: this is the race.
                await Task.Delay(dueTime);
                if (!IsCurrent(generation))
                {
                    return; // Disposed or changed before it fired.
                }

                clock.AdvanceTo(deadline);
                clock.CountFired();
                callback(state);
                if (period == Timeout.InfiniteTimeSpan || period == TimeSpan.Zero)
                {
                    return;
                }

                deadline += period.Ticks;
                dueTime = period;
            }
        }
    }
}
