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

    public async Task DisposeAsync() => await StandIn.DisposeAsync();

    /// <summary>The faults every test of the class starts with; none by default.</summary>
    protected virtual void Arrange(QdrantStandInFaults faults)
    {
    }
}
