using Microsoft.Extensions.Time.Testing;

namespace Pool.Tests.Kit;

/// <summary>
/// A FakeTimeProvider whose every member the pool calls can be told to throw, to prove a broken
/// TimeProvider never changes the pool's books. Advance still fires timers: an exception a pool
/// callback lets out reaches the test that advanced.
/// </summary>
public sealed class FaultyClock : FakeTimeProvider
{
    private int _timersCreated;

    /// <summary>What every failing member throws.</summary>
    public InvalidOperationException Error { get; } = new("The clock failed.");

    public bool TimestampThrows { get; set; }

    public bool FrequencyThrows { get; set; }

    public bool CreateTimerThrows { get; set; }

    /// <summary>A timer's Change and Dispose throw without doing anything: the timer may still fire.</summary>
    public bool TimerThrows { get; set; }

    public int TimersCreated => Volatile.Read(ref _timersCreated);

    public override long TimestampFrequency => FrequencyThrows ? throw Error : base.TimestampFrequency;

    public override long GetTimestamp() => TimestampThrows ? throw Error : base.GetTimestamp();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (CreateTimerThrows)
        {
            throw Error;
        }

        var timer = new FaultyTimer(this, base.CreateTimer(callback, state, dueTime, period));
        Interlocked.Increment(ref _timersCreated);
        return timer;
    }

    public Task UntilTimersAsync(int count, string what) => Waits.Until(() => TimersCreated >= count, what);

    private sealed class FaultyTimer(FaultyClock clock, ITimer inner) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => clock.TimerThrows ? throw clock.Error : inner.Change(dueTime, period);

        public void Dispose()
        {
            if (clock.TimerThrows)
            {
                throw clock.Error;
            }

            inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return default;
        }
    }
}
