namespace Pool.Tests.Integration.Support;

/// <summary>
/// A fresh stand-in for every test of a class (xunit builds the class once per test): started before
/// the test with the class's options and faults, disposed after it.
/// </summary>
public abstract class StandInPerTest : IAsyncLifetime
{
    private readonly QdrantStandInOptions? _options;

    protected StandInPerTest(QdrantStandInOptions? options = null) => _options = options;

    protected QdrantStandIn StandIn { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        StandIn = await QdrantStandIn.StartAsync(_options);
        Arrange(StandIn.Faults);
    }

    public async Task DisposeAsync()
    {
        await StoppingAsync();
        await StandIn.DisposeAsync();
    }

    /// <summary>What the class closes while the stand-in still runs (its own clients); nothing by default.</summary>
    protected virtual Task StoppingAsync() => Task.CompletedTask;

    /// <summary>The faults every test of the class starts with; none by default.</summary>
    protected virtual void Arrange(QdrantStandInFaults faults)
    {
    }
}
