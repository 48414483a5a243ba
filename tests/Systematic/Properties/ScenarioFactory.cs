namespace Pool.Tests.Systematic.Properties;

internal sealed class ScenarioConnection(int id)
{
    public int Id { get; } = id;
}

/// <summary>
/// Follows the create script call by call (then succeeds); "Yield" steps await Task.Yield so Coyote can
/// interleave other work inside the create. Counts live connections. Only controlled primitives.
/// </summary>
internal sealed class ScenarioFactory(CreateStep[] script) : IConnectionFactory<ScenarioConnection>
{
    private int _calls;
    private int _live;

    public int Live => Volatile.Read(ref _live);

    public async ValueTask<ScenarioConnection> CreateAsync(CancellationToken cancellationToken)
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

        return new ScenarioConnection(Interlocked.Increment(ref _live) + (call * 1000));
    }

    public ValueTask<bool> ValidateAsync(ScenarioConnection connection, CancellationToken cancellationToken) => new(true);

    public ValueTask DestroyAsync(ScenarioConnection connection)
    {
        Interlocked.Decrement(ref _live);
        return default;
    }
}

/// <summary>A clock with no timers: the scenarios use infinite timeouts, no maintenance and zero jitter, so none is ever needed.</summary>
internal sealed class NoTimersTimeProvider : TimeProvider
{
    public override long GetTimestamp() => 0;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        throw new InvalidOperationException("The FsCheck×Coyote scenarios must not create timers (uncontrolled under Coyote).");
}

internal sealed class ZeroRandom : Random
{
    public override double NextDouble() => 0;

    protected override double Sample() => 0;
}
