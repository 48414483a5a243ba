namespace Pool.Tests.Unit;

public sealed class OptionsTests
{
    private readonly FakeFactory _factory = new();

    public static TheoryData<ConnectionPoolOptions, string> InvalidOptions => new()
    {
        { new() { MaxSize = 0 }, "MaxSize is 0; it must be at least 1." },
        { new() { MaxSize = -3 }, "MaxSize is -3; it must be at least 1." },
        { new() { MinSize = -1 }, "MinSize is -1; it must be between 0 and MaxSize (10)." },
        { new() { MinSize = 11 }, "MinSize is 11; it must be between 0 and MaxSize (10)." },
        { new() { AcquireTimeout = TimeSpan.Zero }, "AcquireTimeout is 00:00:00; it must be greater than zero and at most 49.17:02:47.2940000, or Timeout.InfiniteTimeSpan." },
        { new() { AcquireTimeout = TimeSpan.FromSeconds(-2) }, "AcquireTimeout is -00:00:02; it must be greater than zero and at most 49.17:02:47.2940000, or Timeout.InfiniteTimeSpan." },
        { new() { AcquireTimeout = TimeSpan.FromDays(60) }, "AcquireTimeout is 60.00:00:00; it must be greater than zero and at most 49.17:02:47.2940000, or Timeout.InfiniteTimeSpan." },
        { new() { DisposeTimeout = TimeSpan.FromSeconds(-1) }, "DisposeTimeout is -00:00:01; it must be between zero and 49.17:02:47.2940000, or Timeout.InfiniteTimeSpan." },
        { new() { TimeProvider = null! }, "TimeProvider is null; it must be set (TimeProvider.System by default)." },
        { new() { Random = null! }, "Random is null; it must be set (Random.Shared by default)." },
        { new() { ValidateAfterIdle = TimeSpan.FromMilliseconds(-2) }, "ValidateAfterIdle is -00:00:00.0020000; it must be between zero and 49.17:02:47.2940000, or Timeout.InfiniteTimeSpan." },
        { new() { ValidationTimeout = TimeSpan.Zero }, "ValidationTimeout is 00:00:00; it must be greater than zero and at most 49.17:02:47.2940000." },
        { new() { ValidationTimeout = Timeout.InfiniteTimeSpan }, "ValidationTimeout is -00:00:00.0010000; it must be greater than zero and at most 49.17:02:47.2940000." },
        { new() { IdleTimeout = TimeSpan.Zero }, "IdleTimeout is 00:00:00; it must be greater than zero and at most 49.17:02:47.2940000, or Timeout.InfiniteTimeSpan." },
        { new() { MaxLifetime = TimeSpan.FromMinutes(-1) }, "MaxLifetime is -00:01:00; it must be greater than zero and at most 49.17:02:47.2940000, or Timeout.InfiniteTimeSpan." },
        { new() { CreateTimeout = TimeSpan.Zero }, "CreateTimeout is 00:00:00; it must be greater than zero and at most 49.17:02:47.2940000, or Timeout.InfiniteTimeSpan." },
        { new() { LifetimeJitter = 0.6 }, "LifetimeJitter is 0.6; it must be between 0 and 0.5." },
        { new() { LifetimeJitter = -0.1 }, "LifetimeJitter is -0.1; it must be between 0 and 0.5." },
        { new() { LifetimeJitter = double.NaN }, "LifetimeJitter is NaN; it must be between 0 and 0.5." },
        { new() { MaxConcurrentCreates = 0 }, "MaxConcurrentCreates is 0; it must be at least 1." },
        { new() { BackoffInitial = TimeSpan.Zero }, "BackoffInitial is 00:00:00; it must be greater than zero and at most 49.17:02:47.2940000." },
        { new() { BackoffInitial = TimeSpan.FromSeconds(20) }, "BackoffMax is 00:00:10; it must be at least BackoffInitial (00:00:20)." },
        { new() { BackoffMax = TimeSpan.FromMilliseconds(-5) }, "BackoffMax is -00:00:00.0050000; it must be greater than zero and at most 49.17:02:47.2940000. BackoffMax is -00:00:00.0050000; it must be at least BackoffInitial (00:00:00.1000000)." },
        { new() { FailFastAfter = -1 }, "FailFastAfter is -1; it must be 0 (never fail fast) or more." },
        { new() { LeakDetectionThreshold = TimeSpan.Zero }, "LeakDetectionThreshold is 00:00:00; it must be greater than zero and at most 49.17:02:47.2940000, or null." },
        { new() { MaintenanceInterval = TimeSpan.FromSeconds(-3) }, "MaintenanceInterval is -00:00:03; it must be greater than zero and at most 49.17:02:47.2940000, Timeout.InfiniteTimeSpan or null." },
        { new() { Name = "" }, "Name is \"\"; it must be 1 to 128 characters and not only white space." },
        { new() { Name = "  " }, "Name is \"  \"; it must be 1 to 128 characters and not only white space." },
        { new() { Name = null! }, "Name is null; it must be 1 to 128 characters and not only white space." },
        { new() { Name = new string('n', 129) }, $"Name is \"{new string('n', 129)}\"; it must be 1 to 128 characters and not only white space." },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Constructor_InvalidSetting_ThrowsArgumentExceptionNamingTheSettingAndRange(ConnectionPoolOptions options, string problem)
    {
        var error = Assert.Throws<ArgumentException>(() => new ConnectionPool<TestConnection>(_factory, options));

        Assert.Equal("options", error.ParamName);
        Assert.Equal($"Invalid ConnectionPoolOptions: {problem} (Parameter 'options')", error.Message);
        Assert.Equal(0, _factory.CreateCalls);
    }

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Validate_InvalidSetting_ReturnsTheSameProblemTheConstructorReports(ConnectionPoolOptions options, string problem)
    {
        Assert.Equal(problem, string.Join(" ", options.Validate()));
    }

    [Fact]
    public void Validate_Defaults_ReturnsNoProblems()
    {
        Assert.Empty(new ConnectionPoolOptions().Validate());
    }

    [Fact]
    public void Validate_SeveralInvalidSettings_ReturnsOneProblemPerSettingInDeclarationOrder()
    {
        var problems = new ConnectionPoolOptions { MaxSize = 0, MinSize = 5, FailFastAfter = -2 }.Validate();

        Assert.Equal(
            [
                "MaxSize is 0; it must be at least 1.",
                "MinSize is 5; it must be between 0 and MaxSize (0).",
                "FailFastAfter is -2; it must be 0 (never fail fast) or more.",
            ],
            problems);
    }

    [Fact]
    public void Constructor_SeveralInvalidSettings_ListsEveryProblemInOneException()
    {
        var options = new ConnectionPoolOptions { MaxSize = 0, MinSize = 5, AcquireTimeout = TimeSpan.Zero, Name = "" };

        var error = Assert.Throws<ArgumentException>(() => new ConnectionPool<TestConnection>(_factory, options));

        Assert.Equal(
            "Invalid ConnectionPoolOptions: MaxSize is 0; it must be at least 1. "
            + "MinSize is 5; it must be between 0 and MaxSize (0). "
            + "AcquireTimeout is 00:00:00; it must be greater than zero and at most 49.17:02:47.2940000, or Timeout.InfiniteTimeSpan. "
            + "Name is \"\"; it must be 1 to 128 characters and not only white space. (Parameter 'options')",
            error.Message);
    }

    [Fact]
    public void Constructor_LifecycleDefaults_AreTheDocumentedValues()
    {
        var o = new ConnectionPoolOptions();

        Assert.Equal(TimeSpan.FromMilliseconds(500), o.ValidateAfterIdle);
        Assert.Equal(TimeSpan.FromSeconds(5), o.ValidationTimeout);
        Assert.Equal(TimeSpan.FromMinutes(10), o.IdleTimeout);
        Assert.Equal(TimeSpan.FromMinutes(30), o.MaxLifetime);
        Assert.Equal(0.025, o.LifetimeJitter);
        Assert.Equal(TimeSpan.FromSeconds(30), o.CreateTimeout);
        Assert.Equal(2, o.MaxConcurrentCreates);
        Assert.Equal((TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10)), (o.BackoffInitial, o.BackoffMax));
        Assert.Equal(3, o.FailFastAfter);
        Assert.Null(o.LeakDetectionThreshold);
        Assert.Null(o.MaintenanceInterval);
        Assert.Same(Random.Shared, o.Random);
        Assert.Null(o.LoggerFactory);
    }

    [Theory]
    [InlineData(null, null, 30_000)]          // IdleTimeout 10 min / 4 is capped at 30 s
    [InlineData(2_000, null, 1_000)]          // 2 s / 4 is raised to the 1 s floor
    [InlineData(60_000, 20_000, 5_000)]       // the leak threshold is the shortest: 20 s / 4
    public void MaintenanceInterval_WhenNotSet_IsAQuarterOfTheShortestPeriodBetweenOneAndThirtySeconds(int? idleMs, int? leakMs, int expectedMs)
    {
        var o = new ConnectionPoolOptions();
        if (idleMs is { } idle)
        {
            o.IdleTimeout = TimeSpan.FromMilliseconds(idle);
            o.MaxLifetime = Timeout.InfiniteTimeSpan;
        }

        o.LeakDetectionThreshold = leakMs is { } leak ? TimeSpan.FromMilliseconds(leak) : null;

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), ConnectionPool<TestConnection>.MaintenanceInterval(o));
    }

    [Fact]
    public void MaintenanceInterval_WithNothingToMaintain_IsInfinite()
    {
        var o = new ConnectionPoolOptions { IdleTimeout = Timeout.InfiniteTimeSpan, MaxLifetime = Timeout.InfiniteTimeSpan };
        Assert.Equal(Timeout.InfiniteTimeSpan, ConnectionPool<TestConnection>.MaintenanceInterval(o));
        o.MaintenanceInterval = TimeSpan.FromSeconds(7);
        Assert.Equal(TimeSpan.FromSeconds(7), ConnectionPool<TestConnection>.MaintenanceInterval(o));
    }

    [Fact]
    public void Constructor_NullFactory_ThrowsArgumentNullException()
    {
        var error = Assert.Throws<ArgumentNullException>(() => new ConnectionPool<TestConnection>(null!));
        Assert.Equal("factory", error.ParamName);
    }

    [Fact]
    public async Task Constructor_Defaults_AreDocumentedValues()
    {
        var options = new ConnectionPoolOptions();
        Assert.Equal((0, 10, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30), "pool"), (options.MinSize, options.MaxSize, options.AcquireTimeout, options.DisposeTimeout, options.Name));
        Assert.Same(TimeProvider.System, options.TimeProvider);

        await using var pool = new ConnectionPool<TestConnection>(_factory);
        Assert.Equal(("pool", 10), (pool.Name, pool.MaxSize));
    }

    [Fact]
    public async Task Constructor_BoundaryValues_AreAccepted()
    {
        var options = new ConnectionPoolOptions
        {
            MaxSize = 1, MinSize = 1, AcquireTimeout = ConnectionPoolOptions.MaxTimeout,
            DisposeTimeout = TimeSpan.Zero, Name = new string('n', 128), TimeProvider = new FakeTimeProvider(),
        };

        await using var pool = new ConnectionPool<TestConnection>(_factory, options);

        Assert.Equal(1, pool.MaxSize);
    }

    [Fact]
    public async Task Options_ChangedAfterConstruction_DoNotChangeThePool()
    {
        var options = new ConnectionPoolOptions { MaxSize = 1, TimeProvider = new FakeTimeProvider() };
        await using var pool = new ConnectionPool<TestConnection>(_factory, options);

        options.MaxSize = 5;
        options.Name = "changed";

        Assert.Equal((1, "pool"), (pool.MaxSize, pool.Name));
        Assert.Equal(1, pool.GetStatistics().MaxSize);
    }
}
