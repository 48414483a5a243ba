namespace Pool.Tests.Kit;

/// <summary>
/// For lockstep model runs (the FsCheck model and its canary): a hand-driven clock. Nothing moves unless the test calls <see cref="FireNext"/> or
/// <see cref="SetNow"/>; <see cref="FireNext"/> fires exactly ONE timer (earliest due, then rank, then
/// creation order) synchronously on the calling thread, so the test can let the system settle between
/// two timer callbacks. Ties at one instant are broken by rank (0 waiter timeout, 1 create timeout,
/// 2 backoff, 3 other) so the model can predict the order independently of which thread created a timer.
/// </summary>
public sealed class SteppedClock : TimeProvider
{
    private static readonly DateTimeOffset Epoch = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly object _gate = new();
    private readonly List<SteppedTimer> _timers = [];
    private long _now;
    private long _seq;
    private int _live; // created and not yet disposed: a fired one-shot timer counts until it is disposed

    /// <summary>Timers created and not yet disposed.</summary>
    public int LiveTimers
    {
        get
        {
            lock (_gate)
            {
                return _live;
            }
        }
    }

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    public override DateTimeOffset GetUtcNow() => Epoch + TimeSpan.FromTicks(GetTimestamp());

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new SteppedTimer(this, callback, state, RankOf(callback, state));
        lock (_gate)
        {
            _live++;
        }

        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>
    /// Pending timers of the given rank (2 = the pool's backoff delays) that still park someone: a delay
    /// whose completion source was already completed (the pool's token was cancelled) parks nobody.
    /// </summary>
    public int Pending(int rank)
    {
        lock (_gate)
        {
            return _timers.Count(t => t.Rank == rank && !(t.State is TaskCompletionSource done && done.Task.IsCompleted));
        }
    }

    /// <summary>The due time of the next timer, or null.</summary>
    public long? NextDue()
    {
        lock (_gate)
        {
            return First()?.Due;
        }
    }

    /// <summary>Moves the clock to the next timer's due time and fires that one timer.</summary>
    public void FireNext()
    {
        SteppedTimer? next;
        lock (_gate)
        {
            next = First();
            if (next is null)
            {
                return;
            }

            _now = Math.Max(_now, next.Due);
            _timers.Remove(next);
            if (next.Period > 0)
            {
                next.Due += next.Period;
                next.Seq = _seq++;
                _timers.Add(next);
            }
        }

        next.Callback(next.State);
    }

    public void SetNow(long ticks)
    {
        lock (_gate)
        {
            _now = Math.Max(_now, ticks);
        }
    }

    private SteppedTimer? First()
    {
        SteppedTimer? best = null;
        foreach (var t in _timers)
        {
            if (best is null || (t.Due, t.Rank, t.Seq).CompareTo((best.Due, best.Rank, best.Seq)) < 0)
            {
                best = t;
            }
        }

        return best;
    }

    private static int RankOf(TimerCallback callback, object? state)
    {
        if (state is IRankedTimerState ranked)
        {
            return ranked.Rank;
        }

        var type = state?.GetType();
        if (type is not null && type.Name.StartsWith("Waiter", StringComparison.Ordinal))
        {
            return 0;
        }

        if (type is { IsGenericType: true } && type.GetGenericTypeDefinition() == typeof(ValueTuple<,>))
        {
            return 1; // (pool, CreateAttempt): the CreateTimeout deadline
        }

        return callback.Method.DeclaringType?.FullName?.StartsWith("Pool.Internal.Backoff", StringComparison.Ordinal) == true ? 2 : 3;
    }

    private sealed class SteppedTimer(SteppedClock clock, TimerCallback callback, object? state, int rank) : ITimer
    {
        public TimerCallback Callback { get; } = callback;

        public object? State { get; } = state;

        public int Rank { get; } = rank;

        public long Due { get; set; }

        public long Period { get; private set; }

        public long Seq { get; set; }

        private bool _disposed; // under the clock's gate

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (clock._gate)
            {
                clock._timers.Remove(this);
                if (dueTime == Timeout.InfiniteTimeSpan)
                {
                    return true;
                }

                Due = clock._now + Math.Max(0, dueTime.Ticks);
                Period = period == Timeout.InfiniteTimeSpan ? 0 : period.Ticks;
                Seq = clock._seq++;
                clock._timers.Add(this);
                return true;
            }
        }

        public void Dispose()
        {
            lock (clock._gate)
            {
                clock._timers.Remove(this);
                if (!_disposed)
                {
                    _disposed = true;
                    clock._live--;
                }
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return default;
        }
    }
}
