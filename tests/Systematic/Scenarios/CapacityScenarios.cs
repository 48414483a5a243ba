namespace Pool.Tests.Systematic.Scenarios;

/// <summary>I1 Capacity: Total ≤ MaxSize at every instant, creates in flight included.</summary>
public static class CapacityScenarios
{
    /// <summary>Three acquirers race for two slots with quick or slow creates; each returns its lease, so all get one.</summary>
    internal static async Task RunConcurrentAcquiresAtCapacity(PoolTarget target)
    {
        var world = PoolWorld.Create(
            target, new PoolSpec(MaxSize: 2), random => FactoryScript.Random(random, [CreateFault.Succeed, CreateFault.Slow]));
        var acquires = new[]
        {
            Task.Run(() => world.AcquireAndReturnAsync("A")),
            Task.Run(() => world.AcquireAndReturnAsync("B")),
            Task.Run(() => world.AcquireAndReturnAsync("C")),
        };
        foreach (var acquired in await Task.WhenAll(acquires))
        {
            PoolWorld.Expect(acquired, Outcome.Lease);
        }

        await world.FinishAsync();
    }

    [Test] public static Task ConcurrentAcquiresAtCapacity() => RunConcurrentAcquiresAtCapacity(PoolTarget.Real);
}
