namespace Pool.Benchmarks;

/// <summary>
/// A <see cref="TimeProvider"/> whose timestamps come from <see cref="Environment.TickCount64"/>
/// (millisecond resolution, a coarse clock read) instead of the high-resolution monotonic clock
/// <see cref="TimeProvider.System"/> reads. Timers stay the system's. Used only to measure what our
/// pool's two clock reads per acquire + return cost; any application could pass one, since the pool
/// only needs millisecond precision for idle, lifetime and validation ages.
/// </summary>
internal sealed class CoarseClock : TimeProvider
{
    public override long TimestampFrequency => 1_000;

    public override long GetTimestamp() => Environment.TickCount64;
}
