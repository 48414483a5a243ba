namespace Pool.Tests.Systematic.Scenarios;

/// <summary>
/// MinSize warm-up, the one piece of background work the pool has now (I10 starts here): it shares
/// slots with foreground acquires and must never break I1, I2 or I4 while racing them.
/// Lifecycle scenarios (idle expiry, lifetime, maintenance, Clear, resize) belong next to this one.
/// </summary>
public static class WarmUpScenarios
{
    /// <summary>
    /// MinSize 1 of 2: the constructor starts a warm-up create (which succeeds, is slow or fails)
    /// while two acquirers with timeouts arrive. Capacity holds and every acquire ends.
    /// </summary>
    internal static async Task RunWarmUpRacingAcquires(PoolTarget target)
    {
        var world = PoolWorld.Create(
            target, new PoolSpec(MaxSize: 2) { MinSize = 1 },
            random => FactoryScript.Random(random, [CreateFault.Succeed, CreateFault.Slow, CreateFault.Throw]));
        await world.TwoTimedAcquirersThenFinishAsync();
    }

    [Test] public static Task WarmUpRacingAcquires() => RunWarmUpRacingAcquires(PoolTarget.Real);
}
