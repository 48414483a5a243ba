using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace Pool.Tests.Kit;

/// <summary>
/// For unit tests on fake time: a FakeTimeProvider that reports the timers the pool armed, and steps
/// time only once the work the previous step released has parked again (see <see cref="SettledAsync"/>).
/// </summary>
/// <remarks>
/// Advancing fake time fires timers synchronously, but what they release (a create after its backoff,
/// an acquirer after its deadline) runs later on the thread pool. On a loaded machine that can take
/// seconds of real time; a test that moved the clock again meanwhile would see deadlines pass that
/// the pool never had the chance to meet. So each step waits until the pool is at rest (as
/// <see cref="PoolRest"/> defines it) or the test's condition holds, bounded by
/// <see cref="SettleLimit"/> of real time, after which the test fails saying what still ran.
/// </remarks>
public sealed class ArmedTimerClock : FakeTimeProvider
{
    /// <summary>How long a step may wait for released work before the test fails: generous, a bound for broken tests only.</summary>
    public static readonly TimeSpan SettleLimit = TimeSpan.FromSeconds(60);

    private readonly object _gate = new();
    private readonly List<TimeSpan> _armed = [];
    private readonly List<TrackedTimer> _timers = [];
    private readonly List<Func<string?>> _busy = [];

    /// <summary>Due times of every timer created so far, in creation order.</summary>
    public IReadOnlyList<TimeSpan> Armed
    {
        get { lock (_gate) { return _armed.ToArray(); } }
    }

    /// <summary>Timers created and not yet disposed (a fired one-shot timer counts until it is disposed).</summary>
    public int LiveTimers
    {
        get { lock (_gate) { return _timers.Count; } }
    }

    /// <summary>
    /// The pool's backoff pauses that still park a create: armed, not fired, not disposed, and not
    /// ended early by the pool's cancellation. A create in such a pause waits for the clock, nothing else.
    /// </summary>
    public int ParkedPauses
    {
        get
        {
            lock (_gate)
            {
                return _timers.Count(t => t.IsBackoff && t.Parks);
            }
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var tracked = new TrackedTimer(this, callback, state, period);
        tracked.Inner = base.CreateTimer(static s => ((TrackedTimer)s!).Fire(), tracked, dueTime, period);
        lock (_gate)
        {
            _armed.Add(dueTime);
            _timers.Add(tracked);
        }

        return tracked;
    }

    /// <summary>
    /// Says what "at rest" means for this test: <paramref name="busy"/> returns null when nothing the
    /// clock released still runs, else what still runs (for the failure message). Usually
    /// <see cref="PoolRest.Follow"/>, which <c>TestPools.Create</c> calls for every unit test's pool.
    /// </summary>
    /// <remarks>Several pools on one clock: each adds its own check; rest is when all pass.</remarks>
    public void RestsWhen(Func<string?> busy)
    {
        lock (_gate)
        {
            _busy.Add(busy);
        }
    }

    public Task UntilArmedAsync(int count, string what) => Waits.Until(() => Armed.Count >= count, what);

    /// <summary>
    /// Waits until the work released so far has parked again (the rest check passes) or
    /// <paramref name="orWhen"/> holds; fails the test after <see cref="SettleLimit"/> of real time.
    /// </summary>
    public async Task SettledAsync(Func<bool>? orWhen = null)
    {
        Func<string?>[] checks;
        lock (_gate)
        {
            checks = [.. _busy];
        }

        if (checks.Length == 0)
        {
            throw new InvalidOperationException("Say what rest means first: RestsWhen(...) or PoolRest.Follow(clock, pool, factory).");
        }

        string? busy()
        {
            foreach (var check in checks)
            {
                if (check() is { } running)
                {
                    return running;
                }
            }

            return null;
        }

        var watch = Stopwatch.StartNew();
        int spins = 0;
        string? running;
        while ((running = busy()) is not null && orWhen?.Invoke() != true)
        {
            if (watch.Elapsed > SettleLimit)
            {
                Assert.Fail($"At fake time {GetUtcNow():HH:mm:ss.fff} the work released by the clock did not settle within {SettleLimit} of real time; still running: {running}.");
            }

            // Yield first (the work is usually one continuation away); then poll gently, so a waiting
            // test does not take the CPU the work it waits for needs on a loaded machine.
            await (++spins < 100 ? YieldAsync() : Task.Delay(1));
        }
    }

    /// <summary>One step: waits for the released work to park, moves the clock, waits again.</summary>
    public async Task StepAsync(TimeSpan by)
    {
        await SettledAsync();
        Advance(by);
        await SettledAsync();
    }

    /// <summary>
    /// Advances in steps of <paramref name="step"/> until the condition holds; before each step the work
    /// the previous one released has parked again, so <paramref name="limit"/> is exact fake time.
    /// </summary>
    public async Task AdvanceUntilAsync(Func<bool> condition, TimeSpan step, TimeSpan limit, string what)
    {
        var advanced = TimeSpan.Zero;
        while (true)
        {
            await SettledAsync(condition);
            if (condition())
            {
                return;
            }

            if (advanced >= limit)
            {
                Assert.Fail($"{what} did not happen within {limit} of fake time (each step waited for the pool to settle).");
            }

            Advance(step);
            advanced += step;
        }
    }

    private static async Task YieldAsync() => await Task.Yield();

    private sealed class TrackedTimer : ITimer
    {
        private readonly ArmedTimerClock _clock;
        private readonly TimerCallback _callback;
        private readonly object? _state;
        private bool _fired;
        private bool _disposed;
        private bool _periodic;

        public TrackedTimer(ArmedTimerClock clock, TimerCallback callback, object? state, TimeSpan period)
        {
            _clock = clock;
            _callback = callback;
            _state = state;
            _periodic = IsPeriodic(period);
            IsBackoff = callback.Method.DeclaringType?.FullName?.StartsWith("Pool.Internal.Backoff", StringComparison.Ordinal) == true;
        }

        public ITimer Inner { get; set; } = null!;

        /// <summary>The pool's backoff pause (Pool.Internal.Backoff), the one kind of timer a create parks on.</summary>
        public bool IsBackoff { get; }

        /// <summary>Under the clock's gate.</summary>
        public bool Parks => !_fired && !_disposed && !(_state is TaskCompletionSource done && done.Task.IsCompleted);

        public void Fire()
        {
            lock (_clock._gate)
            {
                _fired = !_periodic;
            }

            _callback(_state);
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (_clock._gate)
            {
                _fired = false;
                _periodic = IsPeriodic(period);
            }

            return Inner.Change(dueTime, period);
        }

        public void Dispose()
        {
            lock (_clock._gate)
            {
                _disposed = true;
                _clock._timers.Remove(this);
            }

            Inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return default;
        }

        private static bool IsPeriodic(TimeSpan period) => period != Timeout.InfiniteTimeSpan && period != TimeSpan.Zero;
    }
}
