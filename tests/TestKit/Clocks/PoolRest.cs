namespace Pool.Tests.Kit;

/// <summary>
/// When a pool on an <see cref="ArmedTimerClock"/> with a <see cref="FakeFactory"/> is at rest: every
/// create it counts is parked (in a backoff pause on the clock, or in a factory call that waits at the
/// gate, hangs or waits on the clock), every factory call in flight is parked, and nothing is being
/// destroyed. Anything else is work some step released that has not reached its next wait yet.
/// </summary>
public static class PoolRest
{
    /// <summary>Makes every step of <paramref name="clock"/> wait for this pool to come to rest.</summary>
    public static void Follow(ArmedTimerClock clock, ConnectionPool<TestConnection> pool, FakeFactory factory) =>
        clock.RestsWhen(() => Busy(clock, pool, factory));

    /// <summary>Null at rest; otherwise what still runs.</summary>
    public static string? Busy(ArmedTimerClock clock, ConnectionPool<TestConnection> pool, FakeFactory factory)
    {
        // Factory first: a call that just answered leaves the factory before the pool books it.
        int calls = factory.CreatesInFlight;
        int parkedCalls = factory.ParkedCreates;
        if (calls > parkedCalls)
        {
            return $"{calls - parkedCalls} of the factory's {calls} create calls answering";
        }

        var s = pool.GetStatistics();
        int pauses = clock.ParkedPauses;
        if (s.Creating + s.Abandoned > pauses + calls)
        {
            return $"creates on their way (Creating {s.Creating}, Abandoned {s.Abandoned}; parked: {pauses} in backoff, {calls} in the factory)";
        }

        return s.Destroying > 0 ? $"{s.Destroying} destroys" : null;
    }
}
