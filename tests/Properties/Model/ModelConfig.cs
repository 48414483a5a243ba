namespace Pool.Tests.Properties.Model;

/// <summary>
/// The options of one generated run, in timestamp ticks (100 ns; <see cref="Inf"/> = infinite).
/// Durations use odd units (74 ms backoff, 1301 ms create timeout) so different kinds of timers
/// rarely fall due at the same instant; when they do, the clock's rank order decides, as in the model.
/// </summary>
internal sealed record ModelConfig(
    int MaxSize,
    int MinSize,
    int MaxConcurrentCreates,
    long AcquireTimeout,
    long ValidateAfterIdle,
    long IdleTimeout,
    long MaxLifetime,
    long CreateTimeout,
    int FailFastAfter,
    bool Restricted)
{
    public const long Inf = long.MaxValue;
    public const double RandomValue = 0.5;
    public const double LifetimeJitter = 0.1;
    public static readonly TimeSpan BackoffInitial = TimeSpan.FromMilliseconds(74);
    public static readonly TimeSpan BackoffMax = TimeSpan.FromMilliseconds(592);

    /// <summary>Derives a config from one number; 0 is the simplest (MaxSize 1, nothing optional on).</summary>
    public static ModelConfig From(uint seed, bool restricted)
    {
        uint s = seed;
        int Pick(int n)
        {
            int v = (int)(s % (uint)n);
            s /= (uint)n;
            return v;
        }

        int max = 1 + Pick(3);
        long acquire = Pick(2) == 0 ? Ms(2000) : Inf;
        if (restricted)
        {
            return new ModelConfig(max, 0, max, acquire, Inf, Inf, Inf, Inf, 0, true);
        }

        int min = Math.Min(Pick(3), max);
        int mcc = 1 + Pick(2);
        long vai = Pick(3) switch { 0 => Inf, 1 => 0, _ => Ms(1500) };
        long idle = Pick(2) == 0 ? Inf : Ms(2000);
        long life = Pick(2) == 0 ? Inf : Ms(3000);
        long create = Pick(2) == 0 ? Inf : Ms(1301);
        int failFast = Pick(3) switch { 0 => 0, 1 => 2, _ => 3 };

        // With MinSize on, a failed check on borrow starts a refill create that races the same acquire's
        // retry (it may or may not take the new connection): correct either way, but not exactly
        // predictable, so the exact model leaves that pair to the fault matrix and the Coyote scenarios.
        if (min > 0)
        {
            vai = Inf;
        }

        return new ModelConfig(max, min, mcc, acquire, vai, idle, life, create, failFast, false);
    }

    public static long Ms(int ms) => ms * TimeSpan.TicksPerMillisecond;

    public static TimeSpan Span(long ticks) => ticks == Inf ? Timeout.InfiniteTimeSpan : TimeSpan.FromTicks(ticks);

    public ConnectionPoolOptions ToOptions(TimeProvider time) => new()
    {
        MaxSize = MaxSize,
        MinSize = MinSize,
        MaxConcurrentCreates = MaxConcurrentCreates,
        AcquireTimeout = Span(AcquireTimeout),
        ValidateAfterIdle = Span(ValidateAfterIdle),
        IdleTimeout = Span(IdleTimeout),
        MaxLifetime = Span(MaxLifetime),
        CreateTimeout = Span(CreateTimeout),
        FailFastAfter = FailFastAfter,
        LifetimeJitter = LifetimeJitter,
        BackoffInitial = BackoffInitial,
        BackoffMax = BackoffMax,
        DisposeTimeout = Timeout.InfiniteTimeSpan,
        MaintenanceInterval = Timeout.InfiniteTimeSpan,
        TimeProvider = time,
        Random = new FixedRandom(RandomValue),
    };

    public override string ToString() =>
        $"MaxSize={MaxSize} MinSize={MinSize} MaxConcurrentCreates={MaxConcurrentCreates} AcquireTimeout={Show(AcquireTimeout)} "
        + $"ValidateAfterIdle={Show(ValidateAfterIdle)} IdleTimeout={Show(IdleTimeout)} MaxLifetime={Show(MaxLifetime)} "
        + $"CreateTimeout={Show(CreateTimeout)} FailFastAfter={FailFastAfter}";

    public static string Show(long ticks) => ticks == Inf ? "inf" : $"{ticks / TimeSpan.TicksPerMillisecond}ms";
}
