namespace Pool.Tests.Systematic.Scenarios;

/// <summary>
/// I3 Conservation across hand-off; I4 No lost wake-up; I5 Cancellation and timeout are safe.
/// </summary>
public static class HandOffScenarios
{
    /// <summary>
    /// One slot, held by A. B waits with a timeout, C with a token another task cancels, while A
    /// returns. A connection handed to a waiter that already gave up must not be lost (I3), and
    /// a waiter that gave up must leave the queue (I5).
    /// </summary>
    internal static async Task RunReturnRacingTimeoutAndCancellation(PoolTarget target)
    {
        var (world, a) = await PoolWorld.OneSlotHeldByAAsync(target);
        using var cancelC = new CancellationTokenSource();
        var b = Task.Run(() => world.AcquireAndReturnAsync("B", PoolWorld.ShortTimeout));
        var c = Task.Run(() => world.AcquireAndReturnAsync("C", cancellationToken: cancelC.Token));
        var returnA = Task.Run(() => world.Return(a, "A"));
        var cancel = Task.Run(cancelC.Cancel);
        await Task.WhenAll(new[] { b, c, returnA, cancel });

        PoolWorld.Expect(b.Result, Outcome.Lease, Outcome.TimedOut);
        PoolWorld.Expect(c.Result, Outcome.Lease, Outcome.Cancelled);
        await world.FinishAsync();
    }

    /// <summary>
    /// One slot, held by A, returned while B (no timeout) and C (timeout) start waiting. B must get
    /// a connection: a return must never miss a waiter that is just enqueueing (I4).
    /// </summary>
    internal static async Task RunReturnRacingNewWaiter(PoolTarget target)
    {
        var (world, a) = await PoolWorld.OneSlotHeldByAAsync(target);
        var returnA = Task.Run(() => world.Return(a, "A"));
        var b = Task.Run(() => world.AcquireAndReturnAsync("B"));
        var c = Task.Run(() => world.AcquireAndReturnAsync("C", PoolWorld.ShortTimeout));
        await Task.WhenAll(new[] { returnA, b, c });

        PoolWorld.Expect(b.Result, Outcome.Lease);
        PoolWorld.Expect(c.Result, Outcome.Lease, Outcome.TimedOut);
        await world.FinishAsync();
    }

    [Test] public static Task ReturnRacingTimeoutAndCancellation() => RunReturnRacingTimeoutAndCancellation(PoolTarget.Real);
    [Test] public static Task ReturnRacingNewWaiter() => RunReturnRacingNewWaiter(PoolTarget.Real);
}
