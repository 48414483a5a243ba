using Microsoft.Extensions.Time.Testing;
using Pool.Tests.Unit.Support;

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
        { new() { Name = "" }, "Name is \"\"; it must be 1 to 128 characters and not only white space." },
        { new() { Name = "  " }, "Name is \"  \"; it must be 1 to 128 characters and not only white space." },
        { new() { Name = null! }, "Name is null; it must be 1 to 128 characters and not only white space." },
        { new() { Name = new string('n', 129) }, $"Name is \"{new string('n', 129)}\"; it must be 1 to 128 characters and not only white space." },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Constructor_InvalidSetting_ThrowsArgumentExceptionNamingTheSettingAndRange(ConnectionPoolOptions options, string problem)
    {
        var error = Assert.Throws<ArgumentException>(() => new ConnectionPool<FakeConnection>(_factory, options));

        Assert.Equal("options", error.ParamName);
        Assert.Equal($"Invalid ConnectionPoolOptions: {problem} (Parameter 'options')", error.Message);
        Assert.Equal(0, _factory.CreateCalls);
    }

    [Fact]
    public void Constructor_SeveralInvalidSettings_ListsEveryProblemInOneException()
    {
        var options = new ConnectionPoolOptions { MaxSize = 0, MinSize = 5, AcquireTimeout = TimeSpan.Zero, Name = "" };

        var error = Assert.Throws<ArgumentException>(() => new ConnectionPool<FakeConnection>(_factory, options));

        Assert.Equal(
            "Invalid ConnectionPoolOptions: MaxSize is 0; it must be at least 1. "
            + "MinSize is 5; it must be between 0 and MaxSize (0). "
            + "AcquireTimeout is 00:00:00; it must be greater than zero and at most 49.17:02:47.2940000, or Timeout.InfiniteTimeSpan. "
            + "Name is \"\"; it must be 1 to 128 characters and not only white space. (Parameter 'options')",
            error.Message);
    }

    [Fact]
    public void Constructor_NullFactory_ThrowsArgumentNullException()
    {
        var error = Assert.Throws<ArgumentNullException>(() => new ConnectionPool<FakeConnection>(null!));
        Assert.Equal("factory", error.ParamName);
    }

    [Fact]
    public async Task Constructor_Defaults_AreDocumentedValues()
    {
        var options = new ConnectionPoolOptions();
        Assert.Equal((0, 10, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30), "pool"), (options.MinSize, options.MaxSize, options.AcquireTimeout, options.DisposeTimeout, options.Name));
        Assert.Same(TimeProvider.System, options.TimeProvider);

        await using var pool = new ConnectionPool<FakeConnection>(_factory);
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

        await using var pool = new ConnectionPool<FakeConnection>(_factory, options);

        Assert.Equal(1, pool.MaxSize);
    }

    [Fact]
    public async Task Options_ChangedAfterConstruction_DoNotChangeThePool()
    {
        var options = new ConnectionPoolOptions { MaxSize = 1, TimeProvider = new FakeTimeProvider() };
        await using var pool = new ConnectionPool<FakeConnection>(_factory, options);

        options.MaxSize = 5;
        options.Name = "changed";

        Assert.Equal((1, "pool"), (pool.MaxSize, pool.Name));
        Assert.Equal(1, pool.GetStatistics().MaxSize);
    }
}
