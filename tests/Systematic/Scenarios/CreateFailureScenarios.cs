namespace Pool.Tests.Systematic.Scenarios;

/// <summary>
/// I2 A failed create frees its slot and serves a waiter; I8 a create outlives the acquirer that caused it.
/// </summary>
public static class CreateFailureScenarios
{
    /// <summary>
    /// One slot; the first create fails, later ones succeed, fail or are slow (Coyote chooses). Two
    /// acquirers with timeouts: whoever is not failed must still be served, not stranded behind the failure.
    /// </summary>
    internal static async Task RunCreateFailureWithWaiterBehind(PoolTarget target)
    {
        var world = PoolWorld.Create(
            target, new PoolSpec(MaxSize: 1), random => FactoryScript.Then(random, [CreateFault.Throw], [CreateFault.Succeed, CreateFault.Throw, CreateFault.Slow]));
        await world.TwoTimedAcquirersThenFinishAsync();
    }

    /// <summary>
    /// One slot; A's acquire causes a slow create and is cancelled while it runs. The create must
    /// complete for the pool (not be cancelled with A) and serve B, who waits without a timeout.
    /// </summary>
    internal static async Task RunAcquirerCancelledDuringItsCreate(PoolTarget target)
    {
        var world = PoolWorld.Create(target, new PoolSpec(MaxSize: 1), _ => FactoryScript.Creates(CreateFault.Slow));
        using var cancelA = new CancellationTokenSource();
        var a = Task.Run(() => world.AcquireAndReturnAsync("A", cancellationToken: cancelA.Token));
        var cancel = Task.Run(cancelA.Cancel);
        var b = Task.Run(() => world.AcquireAndReturnAsync("B"));
        await Task.WhenAll(new[] { a, cancel, b });

        PoolWorld.Expect(a.Result, Outcome.Lease, Outcome.Cancelled);
        PoolWorld.Expect(b.Result, Outcome.Lease);
        var stats = world.Pool.GetStatistics();
        Check.That(
            stats.CreateFailures == 0 && world.Factory.CreatesStarted == 1, PoolInvariants.CreatesBelongToThePool,
            () => $"A was cancelled during its create; the pool saw {stats.CreateFailures} failed creates and the factory {world.Factory.CreatesStarted} creates, expected 0 and 1.");
        await world.FinishAsync();
    }

    [Test] public static Task CreateFailureWithWaiterBehind() => RunCreateFailureWithWaiterBehind(PoolTarget.Real);
    [Test] public static Task AcquirerCancelledDuringItsCreate() => RunAcquirerCancelledDuringItsCreate(PoolTarget.Real);
}
