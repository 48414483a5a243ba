namespace Pool.Tests.Properties.Model;

/// <summary>Factory behaviours a run may switch on, each with the operations that end it.</summary>
[Flags]
internal enum ModelFeatures
{
    None = 0,

    /// <summary>Creates may get stuck in a factory call that ignores its token (past CreateTimeout: abandoned, I8/I1), answered by ReleaseCreate.</summary>
    StuckCreates = 1,

    /// <summary>Checks on borrow may hang until AnswerCheck, so an acquirer can be cancelled or disposed during its check (I11, I9).</summary>
    HangingChecks = 2,

    /// <summary>The canary only: K = MaxLeasesPerConnection from 2 to 4 (the full model draws K from 1 to 4 itself).</summary>
    SharedLeases = 4,
}

/// <summary>
/// The options of one generated run, in timestamp ticks (100 ns; <see cref="Inf"/> = infinite).
/// Durations use odd units (74 ms backoff, 1301 ms create timeout) so different kinds of timers
/// rarely fall due at the same instant; when they do, the clock's rank order decides, as in the model.
/// <see cref="CheckEveryBorrow"/> is for the canary only: its check on borrow has no idle clock and checks
/// every connection it takes from idle.
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
    bool Restricted,
    ModelFeatures Features = ModelFeatures.None,
    bool CheckEveryBorrow = false,
    int MaxLeases = 1)
{
    /// <summary>Config numbers below this keep every feature off (the replays of <c>KnownBugTests</c> use them).</summary>
    public const uint PlainConfigs = 2592;

    /// <summary>Config numbers below this keep K = 1 (issue 12's features only).</summary>
    public const uint ExclusiveConfigs = PlainConfigs * 4;

    /// <summary>All config numbers: the plain ones times the four feature combinations times K = 1 … 4.</summary>
    public const uint AllConfigs = ExclusiveConfigs * 4;

    /// <summary>Far beyond any run's clock: a held check never reaches its ValidationTimeout (not modelled).</summary>
    public static readonly TimeSpan ValidationTimeout = TimeSpan.FromDays(1);

    public const long Inf = long.MaxValue;
    public const double RandomValue = 0.5;
    public const double LifetimeJitter = 0.1;
    public static readonly TimeSpan BackoffInitial = TimeSpan.FromMilliseconds(74);
    public static readonly TimeSpan BackoffMax = TimeSpan.FromMilliseconds(592);

    /// <summary>
    /// Derives a config from one number; 0 is the simplest (MaxSize 1, nothing optional on). Restricted
    /// (the canary's operation set) takes its features from <paramref name="canaryFeatures"/>: stuck creates
    /// come with a CreateTimeout, hanging checks with a check on every borrow.
    /// </summary>
    public static ModelConfig From(uint seed, bool restricted, ModelFeatures canaryFeatures = ModelFeatures.None)
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
            bool stuck = canaryFeatures.HasFlag(ModelFeatures.StuckCreates);
            bool checks = canaryFeatures.HasFlag(ModelFeatures.HangingChecks);
            int leases = canaryFeatures.HasFlag(ModelFeatures.SharedLeases) ? 2 + Pick(3) : 1;
            return new ModelConfig(max, 0, max, acquire, checks ? 0 : Inf, Inf, Inf, stuck ? Ms(1301) : Inf, 0, true, canaryFeatures, checks, leases);
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

        var features = ModelFeatures.None;
        if (Pick(2) == 1)
        {
            features |= ModelFeatures.StuckCreates;
        }

        if (Pick(2) == 1)
        {
            features |= ModelFeatures.HangingChecks;
        }

        // A feature is only worth its configs if it bites often: stuck creates meet a CreateTimeout, and
        // hanging checks meet a check on borrow (MinSize 0, see above; checked whenever idle at all).
        if (features.HasFlag(ModelFeatures.StuckCreates) && create == Inf)
        {
            create = Ms(1301);
        }

        if (features.HasFlag(ModelFeatures.HangingChecks))
        {
            min = 0;
            vai = vai == Inf ? 0 : vai;
        }

        // Shared leases: a check on borrow runs only on a connection's 0 -> 1 lease and holds the
        // connection until the acquirer has seen it pass (then the room opens); with ValidateAfterIdle 0
        // a connection handed to a waiter is held so until that waiter runs, and whether a second waiter
        // shares it or gets a new connection meanwhile is the thread pool's choice. The exact model leaves
        // checks with K > 1 to the unit tests and the Coyote scenarios.
        int k = 1 + Pick(4);
        if (k > 1)
        {
            vai = Inf;
            features &= ~ModelFeatures.HangingChecks;
        }

        return new ModelConfig(max, min, mcc, acquire, vai, idle, life, create, failFast, false, features, false, k);
    }

    /// <summary>
    /// A run with a feature starts with it switched on, so most of its sequences meet it; with both, creates
    /// start working (a check needs a connection first) and get stuck only when a step says so.
    /// </summary>
    public CreateMode InitialCreateMode => Features == ModelFeatures.StuckCreates ? CreateMode.Stuck : CreateMode.Ok;

    /// <inheritdoc cref="InitialCreateMode"/>
    public ValidateMode InitialValidateMode => Features.HasFlag(ModelFeatures.HangingChecks) ? ValidateMode.Hang : ValidateMode.Ok;

    public static long Ms(int ms) => ms * TimeSpan.TicksPerMillisecond;

    public static TimeSpan Span(long ticks) => ticks == Inf ? Timeout.InfiniteTimeSpan : TimeSpan.FromTicks(ticks);

    public ConnectionPoolOptions ToOptions(TimeProvider time) => new()
    {
        MaxSize = MaxSize,
        MinSize = MinSize,
        MaxConcurrentCreates = MaxConcurrentCreates,
        AcquireTimeout = Span(AcquireTimeout),
        ValidateAfterIdle = Span(ValidateAfterIdle),
        ValidationTimeout = ValidationTimeout,
        MaxLeasesPerConnection = MaxLeases,
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
        + $"CreateTimeout={Show(CreateTimeout)} FailFastAfter={FailFastAfter} MaxLeasesPerConnection={MaxLeases} Features={Features}"
        + (CheckEveryBorrow ? " (checks every borrow)" : string.Empty);

    public static string Show(long ticks) => ticks == Inf ? "inf" : $"{ticks / TimeSpan.TicksPerMillisecond}ms";
}
