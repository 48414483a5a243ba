namespace Pool.Tests.Unit.Support;

/// <summary>
/// What most unit test classes start from: a fake clock of the kind the class needs
/// (<see cref="FakeTimeProvider"/>, or <see cref="ArmedTimerClock"/> where a test waits for the pool to
/// arm a timer) and the kit's <see cref="FakeFactory"/>. xunit makes one instance per test, so each
/// test gets its own.
/// </summary>
public abstract class PoolFixture<TClock>
    where TClock : TimeProvider, new()
{
    protected TClock Time { get; } = new();

    protected FakeFactory Factory { get; } = new();
}
