using Microsoft.Extensions.Time.Testing;

namespace Pool.Tests.Kit;

/// <summary>
/// A FakeTimeProvider whose timers behave like the system's: each captures the ExecutionContext of
/// the code that created it (unless its flow is suppressed) and fires in it. FakeTimeProvider's own
/// timers fire in the context of whoever calls Advance, which would hide a pool that lets its
/// timers keep a caller's AsyncLocals.
/// </summary>
public sealed class ContextCapturingClock : FakeTimeProvider
{
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var captured = ExecutionContext.Capture(); // null when the creator suppressed the flow
        if (captured is null)
        {
            return base.CreateTimer(callback, state, dueTime, period);
        }

        return base.CreateTimer(s => ExecutionContext.Run(captured, _ => callback(s), null), state, dueTime, period);
    }
}
