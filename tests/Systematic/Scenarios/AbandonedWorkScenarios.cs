namespace Pool.Tests.Systematic.Scenarios;

/// <summary>
/// Work the pool gave up on while the factory still runs it: a create racing its CreateTimeout and a
/// destroy racing its DestroyTimeout (I1, I8, L7, L8). The factory checks its calls in flight
/// against MaxConcurrentCreates on every call, abandoned calls included.
/// </summary>
public static class AbandonedWorkScenarios
{
    /// <summary>
    /// MaxSize 1, MaxConcurrentCreates 1, CreateTimeout 1 s, FailFastAfter 2: each create succeeds at
    /// once or is slow and ignores its token (Coyote's choice), and the deadline fires whenever Coyote
    /// likes. A (no timeout), B and C (timeouts) acquire, so acquires keep arriving while a create is
    /// abandoned. On every schedule the factory never has more than one create call in flight, every
    /// acquire ends with one of its outcomes, and dispose waits for the abandoned calls.
    /// </summary>
    internal static async Task RunAbandonedCreateRacingMoreAcquires(PoolTarget target)
    {
        var spec = new PoolSpec(MaxSize: 1) { MaxConcurrentCreates = 1, CreateTimeout = TimeSpan.FromSeconds(1), FailFastAfter = 2 };
        var world = PoolWorld.Create(target, spec, random => FactoryScript.Random(random, [CreateFault.Slow, CreateFault.Succeed]));
        var a = Task.Run(() => world.AcquireAndReturnAsync("A"));
        var b = Task.Run(() => world.AcquireAndReturnAsync("B", PoolWorld.ShortTimeout));
        var c = Task.Run(async () =>
        {
            await Task.Yield();
            return await world.AcquireAndReturnAsync("C", PoolWorld.ShortTimeout);
        });
        await Task.WhenAll(new[] { a, b, c });
        PoolWorld.Expect(a.Result, Outcome.Lease, Outcome.CreateFailed, Outcome.Unavailable);
        PoolWorld.Expect(b.Result, Outcome.Lease, Outcome.CreateFailed, Outcome.Unavailable, Outcome.TimedOut);
        PoolWorld.Expect(c.Result, Outcome.Lease, Outcome.CreateFailed, Outcome.Unavailable, Outcome.TimedOut);

        await world.FinishAfterCreateTimeoutsAsync();
    }

    /// <summary>
    /// MaxSize 1, MaxConcurrentCreates 1, DestroyTimeout 1 s: A invalidates its connection, whose
    /// destroy races its deadline, while B (no timeout) and C (timeout) acquire. An abandoned destroy
    /// frees the slot, so B gets a lease whether the destroy finishes or not; the factory never holds
    /// more than MaxSize + MaxConcurrentCreates connections, and dispose waits for the destroy.
    /// </summary>
    internal static async Task RunAbandonedDestroyRacingAcquires(PoolTarget target)
    {
        var spec = new PoolSpec(MaxSize: 1) { MaxConcurrentCreates = 1, DestroyTimeout = TimeSpan.FromSeconds(1) };
        var world = PoolWorld.Create(target, spec);
        var first = await world.HoldAsync("A");
        var invalidate = Task.Run(() =>
        {
            first.Invalidate();
            world.Return(first, "A");
        });
        var b = Task.Run(() => world.AcquireAndReturnAsync("B"));
        var c = Task.Run(() => world.AcquireAndReturnAsync("C", PoolWorld.ShortTimeout));
        await Task.WhenAll(new[] { invalidate, b, c });
        PoolWorld.Expect(b.Result, Outcome.Lease);
        PoolWorld.Expect(c.Result, Outcome.Lease, Outcome.TimedOut);

        var stats = world.Pool.GetStatistics();
        Check.That(
            stats.DestroyTimeouts <= 1 && stats.DestroyedInvalidated == 1, "I6 Eviction frees capacity",
            () => $"one connection was invalidated, but DestroyedInvalidated is {stats.DestroyedInvalidated} and DestroyTimeouts {stats.DestroyTimeouts}.");
        await world.FinishAsync();
    }

    [Test] public static Task AbandonedCreateRacingMoreAcquires() => RunAbandonedCreateRacingMoreAcquires(PoolTarget.Real);
    [Test] public static Task AbandonedDestroyRacingAcquires() => RunAbandonedDestroyRacingAcquires(PoolTarget.Real);
}
