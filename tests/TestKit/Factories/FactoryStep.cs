namespace Pool.Tests.Kit;

/// <summary>How one scripted factory call ends (see <see cref="FactoryStep"/>).</summary>
public enum StepEnd
{
    /// <summary>A create returns a new connection, a validation passes, a destroy closes the connection.</summary>
    Succeed,

    /// <summary>A validation answers false (the connection is broken). Only for validations.</summary>
    Fail,

    /// <summary>The call throws <see cref="FactoryStep.Error"/> (a destroy closes the connection first).</summary>
    Throw,

    /// <summary>A create waits at <see cref="FakeFactory"/>'s gate until the test calls <see cref="FakeFactory.CompleteNext"/> or <see cref="FakeFactory.FailNext"/>. Only for creates.</summary>
    Gate,

    /// <summary>The call answers only when the pool cancels its token, then throws <see cref="OperationCanceledException"/>. Creates and validations.</summary>
    HangUntilCancelled,

    /// <summary>The call never answers and ignores its token (a black-holed backend); counted by <see cref="FakeFactory"/>'s Never* counts.</summary>
    Never,
}

/// <summary>
/// What one scripted create, validation or destroy of a <see cref="FakeFactory"/> does: first
/// <see cref="Yields"/> times <c>Task.Yield</c> (so Coyote can interleave work inside the call), then
/// <see cref="Late"/> on the factory's <see cref="FakeFactory.Clock"/>, then it ends as <see cref="End"/> says.
/// Only primitives Coyote controls are used on the way (no Task.Delay, no channels).
/// </summary>
public readonly record struct FactoryStep(StepEnd End, Exception? Error = null, int Yields = 0, TimeSpan Late = default)
{
    public static FactoryStep Succeed => new(StepEnd.Succeed);

    public static FactoryStep Fail => new(StepEnd.Fail);

    public static FactoryStep Gate => new(StepEnd.Gate);

    public static FactoryStep HangUntilCancelled => new(StepEnd.HangUntilCancelled);

    public static FactoryStep Never => new(StepEnd.Never);

    public static FactoryStep Throw(Exception error) => new(StepEnd.Throw, error);

    /// <summary>The same end, after <paramref name="yields"/> yields.</summary>
    public FactoryStep AfterYields(int yields) => this with { Yields = yields };

    /// <summary>The same end, after <paramref name="late"/> on the factory's clock.</summary>
    public FactoryStep After(TimeSpan late) => this with { Late = late };
}
