using Microsoft.Coyote.SystematicTesting;
using Pool.Tests.Systematic.Harness;
using Xunit.Abstractions;

namespace Pool.Tests.Systematic.Scenarios;

/// <summary>
/// Everything at once, small: Coyote draws each client's way of acquiring, whether it breaks its
/// connection, and every factory fault. All invariants are checked after each step.
/// </summary>
public static class ChurnScenarios
{
    [Test]
    public static Task RandomClientsAndFaults() => RunRandomClientsAndFaults(PoolTarget.Real);

    /// <summary>
    /// Two slots, three clients. Each one tries TryAcquire first or not, then acquires with no
    /// timeout, a timeout or a token that gets cancelled, may invalidate, and returns. Creates
    /// succeed, are slow or throw; destroys may throw.
    /// </summary>
    internal static async Task RunRandomClientsAndFaults(PoolTarget target)
    {
        var world = PoolWorld.Create(
            target, new PoolSpec(MaxSize: 2),
            random => FactoryScript.Random(random, [CreateFault.Succeed, CreateFault.Slow, CreateFault.Throw], destroyMayThrow: true));
        var clients = new[]
        {
            Task.Run(() => ClientAsync(world, "A")),
            Task.Run(() => ClientAsync(world, "B")),
            Task.Run(() => ClientAsync(world, "C")),
        };
        await Task.WhenAll(clients);
        await world.FinishAsync();
    }

    private static async Task ClientAsync(PoolWorld world, string who)
    {
        var lease = world.Random.NextBoolean() ? world.TryAcquire(who) : null;
        if (lease is null)
        {
            using var cancel = new CancellationTokenSource();
            Acquired acquired;
            switch (world.Random.NextInteger(3))
            {
                case 0:
                    acquired = await world.AcquireAsync(who);
                    PoolWorld.Expect(acquired, Outcome.Lease, Outcome.CreateFailed);
                    break;
                case 1:
                    acquired = await world.AcquireAsync(who, PoolWorld.ShortTimeout);
                    PoolWorld.Expect(acquired, Outcome.Lease, Outcome.CreateFailed, Outcome.TimedOut);
                    break;
                default:
                    var cancelling = Task.Run(cancel.Cancel);
                    acquired = await world.AcquireAsync(who, cancellationToken: cancel.Token);
                    await cancelling;
                    PoolWorld.Expect(acquired, Outcome.Lease, Outcome.CreateFailed, Outcome.Cancelled);
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
}

public sealed class ChurnTests(ITestOutputHelper output)
{
    [Fact]
    public void RandomClientsAndFaults_KeepEveryInvariantAndEndEveryAcquire() =>
        CoyoteRunner.AssertNoBug(ChurnScenarios.RandomClientsAndFaults, output);
}
