namespace Pool.Tests.Systematic.Generated;

/// <summary>
/// Follows the create script call by call (then succeeds); "Yield" steps await Task.Yield so Coyote can
/// interleave other work inside the create. Counts live connections. Only controlled primitives.
/// </summary>
internal sealed class ScenarioFactory(CreateStep[] script) : IConnectionFactory<TestConnection>
{
    private int _calls;
    private int _live;

    public int Live => Volatile.Read(ref _live);

    public async ValueTask<TestConnection> CreateAsync(CancellationToken cancellationToken)
    {
        int call = Interlocked.Increment(ref _calls) - 1;
        var step = call < script.Length ? script[call] : CreateStep.Ok;
        if (step is CreateStep.YieldThenOk or CreateStep.YieldThenThrow)
        {
            await Task.Yield();
        }

        if (step is CreateStep.Throw or CreateStep.YieldThenThrow)
        {
            throw new InvalidOperationException($"scripted create failure (call {call})");
        }

        return new TestConnection(Interlocked.Increment(ref _live) + (call * 1000));
    }

    public ValueTask<bool> ValidateAsync(TestConnection connection, CancellationToken cancellationToken) => new(true);

    public ValueTask DestroyAsync(TestConnection connection)
    {
        Interlocked.Decrement(ref _live);
        return default;
    }
}
