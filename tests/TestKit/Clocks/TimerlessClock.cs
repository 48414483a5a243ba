namespace Pool.Tests.Kit;

/// <summary>
/// For pools that must never arm a timer (the FsCheck-generated Coyote scenarios: infinite timeouts, no
/// maintenance, zero jitter): time stands still and creating a timer is a test bug, since a real timer
/// would run outside Coyote's control.
/// </summary>
public sealed class TimerlessClock : TimeProvider
{
    public override long GetTimestamp() => 0;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        throw new InvalidOperationException("This pool must not create timers (uncontrolled under Coyote).");
}
