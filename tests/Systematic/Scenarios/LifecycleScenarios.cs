namespace Pool.Tests.Systematic.Scenarios;

/// <summary>
/// I10 maintenance, Clear and resizing at run time, racing foreground acquires and returns. Only the
/// real pool has these operations; each scenario turns on just the options it is about.
/// </summary>
public static class LifecycleScenarios
{
    /// <summary>
    /// MaxSize 2, MinSize 1, lifetime 3 s (jitter up to half, Coyote's choice), idle timeout 1 s, no
    /// background timer: a task moves the clock by 0, 2 or 4 s and runs a maintenance pass while A (no
    /// timeout) and B (timeout) acquire and return. Maintenance never takes a slot a foreground acquire
    /// needs (A always gets a lease), an expired connection is never handed out, a later pass with every
    /// connection expired retires all idle ones, and MinSize is refilled (WarmUpAsync completes).
    /// </summary>
    internal static async Task RunMaintenanceRacingAcquiresAndReturns(PoolTarget target)
    {
        var spec = new PoolSpec(MaxSize: 2)
        {
            MinSize = 1,
            MaxLifetime = TimeSpan.FromSeconds(3),
            LifetimeJitter = 0.5,
            Jitter = JitterSource.Chosen,
            IdleTimeout = TimeSpan.FromSeconds(1),
        };
        var world = PoolWorld.Create(target, spec, random => FactoryScript.Random(random, [CreateFault.Succeed, CreateFault.Slow]));
        var a = Task.Run(() => world.AcquireAndReturnAsync("A"));
        var b = Task.Run(() => world.AcquireAndReturnAsync("B", PoolWorld.ShortTimeout));
        var maintenance = Task.Run(() =>
        {
            world.Time.Advance(TimeSpan.FromSeconds(2 * world.Random.NextInteger(3)));
            world.RunMaintenance("M");
        });
        await Task.WhenAll(new Task[] { a, b, maintenance });
        PoolWorld.Expect(a.Result, Outcome.Lease);
        PoolWorld.Expect(b.Result, Outcome.Lease, Outcome.TimedOut);

        // Every connection is past its lifetime now: one pass retires every idle one and refills MinSize.
        var before = world.Pool.GetStatistics(); // these idle ones were all made before the clock jumps
        world.Time.Advance(TimeSpan.FromSeconds(10));
        world.RunMaintenance("all expired");
        var after = world.Pool.GetStatistics();
        Check.That(
            after.DestroyedExpired - before.DestroyedExpired >= before.Idle, "I6 Eviction frees capacity",
            () => $"{before.Idle} idle connections were past their lifetime but the pass retired {after.DestroyedExpired - before.DestroyedExpired}.");
        Check.That(
            after.Total >= spec.MinSize, "I10 Maintenance never starves",
            () => $"after a maintenance pass the pool holds {after.Total} slots, below MinSize {spec.MinSize}: no refill was started.");
        await world.Real.WarmUpAsync();
        PoolWorld.Expect(await world.AcquireAndReturnAsync("after refill"), Outcome.Lease);
        await world.FinishAsync();
    }

    /// <summary>
    /// MaxSize 2; A holds a connection. Clear runs while A returns and B (no timeout) acquires; then C
    /// acquires. No acquire that started after Clear returned gets a connection that was leased before
    /// Clear was called (A's, or B's if B got it first): such a connection is destroyed on return.
    /// </summary>
    internal static Task RunClearRacingAcquiresAndReturns(PoolTarget target) => RunClear(target, byFactoryStage: false);

    /// <summary>
    /// The same race, checked strictly: a connection the factory returned before Clear was called, whose
    /// create the pool settles after Clear, must not be handed out after Clear returned. This found a
    /// pool bug (the create stamped the connection with the generation current when it settled); the
    /// pool now keeps the generation of the moment the slot was reserved.
    /// </summary>
    internal static Task RunClearRacingCreateInFlight(PoolTarget target) => RunClear(target, byFactoryStage: true);

    private static async Task RunClear(PoolTarget target, bool byFactoryStage)
    {
        var world = PoolWorld.Create(target, new PoolSpec(MaxSize: 2), random => FactoryScript.Random(random, [CreateFault.Succeed, CreateFault.Slow]));
        var leasedBeforeClear = new HashSet<int>();
        var a = await world.HoldAsync("A");
        leasedBeforeClear.Add(a.Connection.Id);
        bool clearing = false, cleared = false;
        var returnA = Task.Run(() => world.Return(a, "A"));
        var b = Task.Run(async () =>
        {
            bool afterClear = cleared;
            var acquired = await world.AcquireAsync("B");
            if (acquired.Lease is { } lease && !clearing)
            {
                leasedBeforeClear.Add(lease.Connection.Id);
            }

            Check(acquired, afterClear);
            if (acquired.Lease is { } held)
            {
                await Task.Yield();
                world.Return(held, "B");
            }

            return acquired;
        });
        var clear = Task.Run(async () =>
        {
            clearing = true;
            world.Factory.Stage = 1; // connections the factory makes from now on exist only after Clear was called
            world.Real.Clear();
            cleared = true;
            world.CheckInvariants("after Clear");
            var c = await world.AcquireAsync("C");
            Check(c, startedAfterClear: true);
            if (c.Lease is { } lease)
            {
                world.Return(lease, "C");
            }

            return c;
        });
        await Task.WhenAll(new Task[] { returnA, b, clear });
        PoolWorld.Expect(b.Result, Outcome.Lease);
        PoolWorld.Expect(clear.Result, Outcome.Lease);
        await world.FinishAsync();

        void Check(Acquired acquired, bool startedAfterClear)
        {
            if (!startedAfterClear || acquired.Lease is not { } lease)
            {
                return;
            }

            int id = lease.Connection.Id;
            if (byFactoryStage)
            {
                Harness.Check.That(
                    world.Factory.CreatedAtStage[id] >= 1, "Clear retires every connection",
                    () => $"acquire '{acquired.Who}' started after Clear returned but got {lease.Connection}, which the factory made before Clear was called.");
            }
            else
            {
                Harness.Check.That(
                    !leasedBeforeClear.Contains(id), "I6 Eviction frees capacity",
                    () => $"acquire '{acquired.Who}' started after Clear returned but got {lease.Connection}, leased before Clear was called.");
            }
        }
    }

    /// <summary>
    /// MaxSize 2, both connections leased by A and B. A task lowers MaxSize to 1 and then sets it to 1
    /// or 2 (Coyote's choice) while A and B return and C (no timeout) acquires. The pool never holds
    /// more than its ceiling, never fails a lease in use, destroys the surplus, and C gets a lease.
    /// </summary>
    internal static async Task RunSetMaxSizeRacingAcquiresAndReturns(PoolTarget target)
    {
        var world = PoolWorld.Create(target, new PoolSpec(MaxSize: 2), random => FactoryScript.Random(random, [CreateFault.Succeed, CreateFault.Slow]));
        var a = await world.HoldAsync("A");
        var b = await world.HoldAsync("B");
        int finalMax = 0;
        var resize = Task.Run(async () =>
        {
            world.Real.SetMaxSize(1);
            world.CheckInvariants("after SetMaxSize(1)");
            await Task.Yield();
            finalMax = 1 + world.Random.NextInteger(2);
            world.Real.SetMaxSize(finalMax);
            world.CheckInvariants($"after SetMaxSize({finalMax})");
        });
        var returnA = Task.Run(() => world.Return(a, "A"));
        var returnB = Task.Run(() => world.Return(b, "B"));
        var c = Task.Run(() => world.AcquireAndReturnAsync("C"));
        await Task.WhenAll(new Task[] { resize, returnA, returnB, c });
        PoolWorld.Expect(c.Result, Outcome.Lease);

        var stats = world.Pool.GetStatistics();
        Check.That(
            stats.MaxSize == finalMax && stats.InUse == 0 && (stats.Creating > 0 || stats.Destroying > 0 || (stats.Ceiling == finalMax && stats.Total <= finalMax)),
            "I1 Capacity",
            () => $"every lease came back after MaxSize became {finalMax}, yet MaxSize={stats.MaxSize}, Ceiling={stats.Ceiling}, Total={stats.Total}.");
        await world.FinishAsync();
    }

    [Test] public static Task MaintenanceRacingAcquiresAndReturns() => RunMaintenanceRacingAcquiresAndReturns(PoolTarget.Real);
    [Test] public static Task ClearRacingAcquiresAndReturns() => RunClearRacingAcquiresAndReturns(PoolTarget.Real);

    /// <summary>Found a pool bug (a create racing Clear kept the new generation); fixed by stamping creates at reservation.</summary>
    [Test] public static Task ClearRacingCreateInFlight() => RunClearRacingCreateInFlight(PoolTarget.Real);
    [Test] public static Task SetMaxSizeRacingAcquiresAndReturns() => RunSetMaxSizeRacingAcquiresAndReturns(PoolTarget.Real);
}
