namespace Pool.Tests.Systematic.Scenarios;

/// <summary>I9 Dispose is complete, and liveness: every acquire ends with exactly one outcome.</summary>
public static class DisposeScenarios
{
    /// <summary>
    /// Two slots, one held by A. DisposeAsync races A's return and two acquirers whose creates
    /// succeed, are slow or hang until the pool cancels them. Every acquire ends with a lease, or
    /// with ObjectDisposedException (always, once DisposeAsync was called); after dispose no
    /// connection is left open.
    /// </summary>
    internal static async Task RunDisposeRacingAcquiresReturnsAndCreates(PoolTarget target)
    {
        var world = PoolWorld.Create(
            target, new PoolSpec(MaxSize: 2), random => FactoryScript.Then(random, [CreateFault.Succeed], [CreateFault.Succeed, CreateFault.Slow, CreateFault.HangUntilCancelled]));
        var a = await world.HoldAsync("A");
        var b = Task.Run(() => world.AcquireAndReturnAsync("B"));
        var c = Task.Run(() => world.AcquireAndReturnAsync("C"));
        var returnA = Task.Run(() => world.Return(a, "A"));
        var dispose = Task.Run(async () =>
        {
            // Once DisposeAsync has been called, no acquire may succeed, even before it completes.
            // AsTask at once: Coyote 1.7.11 rewrites a ValueTask kept across an await into invalid IL.
            var disposing = world.Pool.DisposeAsync().AsTask();
            var late = await world.AcquireAsync("D, started after DisposeAsync");
            Check.That(late.Outcome == Outcome.Disposed, "I9 Dispose is complete", () => $"an acquire started after DisposeAsync ended with {late.Outcome}.");
            await disposing;
        });
        await Task.WhenAll(new[] { b, c, returnA, dispose });

        foreach (var waiter in new[] { b, c })
        {
            PoolWorld.Expect(waiter.Result, Outcome.Lease, Outcome.Disposed); // served before the dispose, or refused by it
        }

        await world.FinishAsync();
    }

    /// <summary>
    /// One slot, held by A; B waits without a timeout; two tasks dispose while A returns. Both
    /// disposals complete once the pool drained; B ends with a lease or ObjectDisposedException.
    /// </summary>
    internal static async Task RunDisposeFromTwoTasksWithAWaiter(PoolTarget target)
    {
        var (world, a) = await PoolWorld.OneSlotHeldByAAsync(target);
        var b = Task.Run(() => world.AcquireAndReturnAsync("B"));
        var first = Task.Run(async () => await world.Pool.DisposeAsync());
        var second = Task.Run(async () => await world.Pool.DisposeAsync());
        var returnA = Task.Run(() => world.Return(a, "A"));
        await Task.WhenAll(new[] { b, first, second, returnA });

        PoolWorld.Expect(b.Result, Outcome.Lease, Outcome.Disposed);
        await world.FinishAsync();
    }

    /// <summary>
    /// One slot; creates succeed, are slow, fail or hang (Coyote chooses each). A waits without a
    /// timeout, B with one, C with a token that is cancelled, and the pool is disposed meanwhile.
    /// Liveness: each acquire ends, with one of the outcomes its options allow.
    /// </summary>
    internal static async Task RunMixedAcquiresAllEnd(PoolTarget target)
    {
        var world = PoolWorld.Create(
            target, new PoolSpec(MaxSize: 1),
            random => FactoryScript.Random(random, [CreateFault.Succeed, CreateFault.Slow, CreateFault.Throw, CreateFault.HangUntilCancelled]));
        using var cancelC = new CancellationTokenSource();
        var a = Task.Run(() => world.AcquireAndReturnAsync("A"));
        var b = Task.Run(() => world.AcquireAndReturnAsync("B", PoolWorld.ShortTimeout));
        var c = Task.Run(() => world.AcquireAndReturnAsync("C", cancellationToken: cancelC.Token));
        var cancel = Task.Run(cancelC.Cancel);
        var dispose = Task.Run(async () => await world.Pool.DisposeAsync());
        await Task.WhenAll(new[] { a, b, c, cancel, dispose });

        PoolWorld.Expect(a.Result, Outcome.Lease, Outcome.Disposed, Outcome.CreateFailed);
        PoolWorld.Expect(b.Result, Outcome.Lease, Outcome.Disposed, Outcome.CreateFailed, Outcome.TimedOut);
        PoolWorld.Expect(c.Result, Outcome.Lease, Outcome.Disposed, Outcome.CreateFailed, Outcome.Cancelled);
        await world.FinishAsync();
    }

    [Test] public static Task DisposeRacingAcquiresReturnsAndCreates() => RunDisposeRacingAcquiresReturnsAndCreates(PoolTarget.Real);
    [Test] public static Task DisposeFromTwoTasksWithAWaiter() => RunDisposeFromTwoTasksWithAWaiter(PoolTarget.Real);
    [Test] public static Task MixedAcquiresAllEnd() => RunMixedAcquiresAllEnd(PoolTarget.Real);
}
