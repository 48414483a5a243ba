namespace Pool.Tests.Systematic.Scenarios;

/// <summary>I6 Eviction frees capacity; I7 At most once.</summary>
public static class LeaseScenarios
{
    /// <summary>
    /// One slot, held by A, invalidated and returned by two tasks at once while B waits. Whichever
    /// wins, the connection is destroyed at most once, and B is served (reused or replaced).
    /// </summary>
    internal static async Task RunInvalidateRacingReturn(PoolTarget target)
    {
        var (world, a) = await PoolWorld.OneSlotHeldByAAsync(target);
        var b = Task.Run(() => world.AcquireAndReturnAsync("B"));
        var invalidate = Task.Run(a.Invalidate);
        var returnA = Task.Run(() => world.Return(a, "A"));
        await Task.WhenAll(new[] { b, invalidate, returnA });

        PoolWorld.Expect(b.Result, Outcome.Lease);
        await world.FinishAsync();
    }

    /// <summary>
    /// One slot, held by A, whose lease two tasks return at once while B and C wait. The pool must
    /// take the return once: never one connection leased to B and C together, never a count below zero.
    /// </summary>
    internal static async Task RunDoubleReturnFromTwoTasks(PoolTarget target)
    {
        var (world, a) = await PoolWorld.OneSlotHeldByAAsync(target);
        var b = Task.Run(() => world.AcquireAndReturnAsync("B"));
        var c = Task.Run(() => world.AcquireAndReturnAsync("C"));
        var first = Task.Run(() => world.Return(a, "A (first)"));
        var second = Task.Run(() => world.Return(a, "A (second)"));
        await Task.WhenAll(new[] { b, c, first, second });

        PoolWorld.Expect(b.Result, Outcome.Lease);
        PoolWorld.Expect(c.Result, Outcome.Lease);
        await world.FinishAsync();
    }

    /// <summary>
    /// One slot; every destroy throws. A invalidates and returns its connection while B waits: the
    /// failed destroy still frees the slot and B gets a new connection (I6).
    /// </summary>
    internal static async Task RunThrowingDestroyOfInvalidatedConnection(PoolTarget target)
    {
        var (world, a) = await PoolWorld.OneSlotHeldByAAsync(target, _ => FactoryScript.Healthy().WithThrowingDestroys());
        var b = Task.Run(() => world.AcquireAndReturnAsync("B"));
        var returnA = Task.Run(() =>
        {
            a.Invalidate();
            world.Return(a, "A");
        });
        await Task.WhenAll(new[] { b, returnA });

        PoolWorld.Expect(b.Result, Outcome.Lease);
        Check.That(
            world.Factory.CreatesStarted == 2, "I6 Eviction frees capacity",
            () => $"B needed a replacement for the invalidated connection; the factory saw {world.Factory.CreatesStarted} creates, expected 2.");
        await world.FinishAsync();
    }

    [Test] public static Task InvalidateRacingReturn() => RunInvalidateRacingReturn(PoolTarget.Real);
    [Test] public static Task DoubleReturnFromTwoTasks() => RunDoubleReturnFromTwoTasks(PoolTarget.Real);
    [Test] public static Task ThrowingDestroyOfInvalidatedConnection() => RunThrowingDestroyOfInvalidatedConnection(PoolTarget.Real);
}
