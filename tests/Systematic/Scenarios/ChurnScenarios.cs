namespace Pool.Tests.Systematic.Scenarios;

/// <summary>
/// Everything at once, small: Coyote draws each client's way of acquiring, whether it breaks its
/// connection, and every factory fault. All invariants are checked after each step.
/// </summary>
public static class ChurnScenarios
{
    /// <summary>
    /// Two slots, three clients. Each one tries TryAcquire first or not, then acquires with no
    /// timeout, a timeout or a token that gets cancelled, may invalidate, and returns. Creates
    /// succeed, are slow or throw; destroys may throw; the pool may be disposed meanwhile.
    /// </summary>
    internal static async Task RunRandomClientsAndFaults(PoolTarget target)
    {
        var world = PoolWorld.Create(
            target, new PoolSpec(MaxSize: 2),
            random => FactoryScript.Random(random, [CreateFault.Succeed, CreateFault.Slow, CreateFault.Throw], destroyMayThrow: true));
        var operations = new List<Task>
        {
            Task.Run(() => ClientAsync(world, "A")),
            Task.Run(() => ClientAsync(world, "B")),
            Task.Run(() => ClientAsync(world, "C")),
        };
        if (world.Random.NextBoolean())
        {
            operations.Add(Task.Run(async () => await world.Pool.DisposeAsync()));
        }

        await Task.WhenAll(operations.ToArray());
        await world.FinishAsync();
    }

    private static async Task ClientAsync(PoolWorld world, string who)
    {
        Lease? lease = null;
        if (world.Random.NextBoolean())
        {
            try
            {
                lease = world.TryAcquire(who);
            }
            catch (ObjectDisposedException)
            {
                return; // Disposed: TryAcquire must say so rather than find nothing.
            }
        }

        if (lease is null)
        {
            using var cancel = new CancellationTokenSource();
            Acquired acquired;
            switch (world.Random.NextInteger(3))
            {
                case 0:
                    acquired = await world.AcquireAsync(who);
                    PoolWorld.Expect(acquired, Outcome.Lease, Outcome.CreateFailed, Outcome.Disposed);
                    break;
                case 1:
                    acquired = await world.AcquireAsync(who, PoolWorld.ShortTimeout);
                    PoolWorld.Expect(acquired, Outcome.Lease, Outcome.CreateFailed, Outcome.TimedOut, Outcome.Disposed);
                    break;
                default:
                    var cancelling = Task.Run(cancel.Cancel);
                    acquired = await world.AcquireAsync(who, cancellationToken: cancel.Token);
                    await cancelling;
                    PoolWorld.Expect(acquired, Outcome.Lease, Outcome.CreateFailed, Outcome.Cancelled, Outcome.Disposed);
                    break;
            }

            lease = acquired.Lease;
        }

        if (lease is not null)
        {
            if (world.Random.NextBoolean())
            {
                lease.Invalidate();
            }

            world.Return(lease, who);
        }
    }

    [Test] public static Task RandomClientsAndFaults() => RunRandomClientsAndFaults(PoolTarget.Real);
}
