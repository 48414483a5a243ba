namespace Pool.Tests.Systematic.Scenarios;

/// <summary>
/// Shared leases (issue #13, K = MaxLeasesPerConnection above 1): at most K leases per connection, placement
/// before a create, no lease on a connection that is broken or draining, each lease returned once, FIFO and
/// no lost wake-up per lease. The harness's <see cref="LeaseLedger"/> counts the scenario's leases per
/// connection and checks them as they come and go.
/// </summary>
public static class SharedLeaseScenarios
{
    private const int K = 2;

    /// <summary>
    /// K = 2, MaxSize 2, creates quick or slow: A, B and C acquire at once and each holds its lease until
    /// all three hold one. Three leases need two connections: no connection ever carries more than K, all
    /// three are served, exactly two connections are made, and while all three hold the pool counts two
    /// connections in use.
    /// </summary>
    internal static async Task RunConcurrentAcquiresFillKAndSpillToACreate(PoolTarget target)
    {
        var world = PoolWorld.Create(
            target, new PoolSpec(MaxSize: 2) { MaxLeasesPerConnection = K },
            random => FactoryScript.Random(random, [CreateFault.Succeed, CreateFault.Slow]));
        var allHold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int holding = 0;
        var acquires = new[]
        {
            Task.Run(() => HoldUntilAllHoldAsync("A")),
            Task.Run(() => HoldUntilAllHoldAsync("B")),
            Task.Run(() => HoldUntilAllHoldAsync("C")),
        };
        foreach (var acquired in await Task.WhenAll(acquires))
        {
            PoolWorld.Expect(acquired, Outcome.Lease);
        }

        Check.That(
            world.Factory.CreatesStarted == 2, PoolInvariants.LeasesWithinLimit,
            () => $"three leases with K = {K} need two connections; the factory saw {world.Factory.CreatesStarted} creates.");
        await world.FinishAsync();

        async Task<Acquired> HoldUntilAllHoldAsync(string who)
        {
            var acquired = await world.AcquireAsync(who);
            if (acquired.Lease is { } lease)
            {
                if (++holding == 3)
                {
                    var stats = world.Pool.GetStatistics();
                    Check.That(
                        stats.InUse == 2, PoolInvariants.LeaseConservation,
                        () => $"three leases are out with K = {K}, so two connections carry them, but the pool counts {stats.InUse} in use.");
                    allHold.TrySetResult();
                }

                await allHold.Task;
                world.Return(lease, who);
            }

            return acquired;
        }
    }

    /// <summary>
    /// K = 2, MaxSize 1: A and B share the one connection, C waits. A invalidates its lease and then
    /// returns it; D starts acquiring just after the invalidation; B returns meanwhile. The broken
    /// connection takes no lease from an acquire that started after the invalidation (D), is destroyed
    /// once, only at its last return, and its slot serves C and D: two creates in all.
    /// </summary>
    internal static async Task RunInvalidateRacingTheOtherLeasesReturns(PoolTarget target)
    {
        var (world, a, b) = await TwoOnOneConnectionAsync(target);
        var c = Task.Run(() => world.AcquireAndReturnAsync("C"));
        var invalidateA = Task.Run(async () =>
        {
            a.Invalidate();
            var d = Task.Run(() => world.AcquireAndReturnAsync("D, started after A's invalidation"));
            world.Return(a, "A");
            return await d;
        });
        var returnB = Task.Run(() => world.Return(b, "B"));
        await Task.WhenAll(new Task[] { c, invalidateA, returnB });

        PoolWorld.Expect(c.Result, Outcome.Lease);
        PoolWorld.Expect(invalidateA.Result, Outcome.Lease);
        Check.That(
            world.Factory.CreatesStarted == 2, "I6 Eviction frees capacity",
            () => $"the invalidated connection's slot should serve C and D with one new connection; the factory saw {world.Factory.CreatesStarted} creates.");
        await world.FinishAsync();
    }

    /// <summary>
    /// K = 2, MaxSize 1: A and B share the one connection; A's lease is returned by two tasks at once while
    /// C waits and B returns. The pool takes A's return once: it never counts fewer connections in use than
    /// the scenario holds leases on, never puts the connection back to idle or destroys it while B or C
    /// holds it, and C is served.
    /// </summary>
    internal static async Task RunDoubleReturnOfOneSharedLease(PoolTarget target)
    {
        var (world, a, b) = await TwoOnOneConnectionAsync(target);
        var c = Task.Run(() => world.AcquireAndReturnAsync("C"));
        var first = Task.Run(() => world.Return(a, "A (first)"));
        var second = Task.Run(() => world.Return(a, "A (second)"));
        var returnB = Task.Run(async () =>
        {
            await Task.Yield();
            world.Return(b, "B");
        });
        await Task.WhenAll(new[] { c, first, second, returnB });

        PoolWorld.Expect(c.Result, Outcome.Lease);
        await world.FinishAsync();
    }

    /// <summary>How a shared connection stops taking leases while it still has some.</summary>
    internal enum Retirement
    {
        /// <summary>The clock passes MaxLifetime.</summary>
        Expiry,

        /// <summary>Clear() retires every connection that exists.</summary>
        Clear,

        /// <summary>SetMaxSize(1) with two connections open makes one surplus.</summary>
        Shrink,
    }

    /// <summary>
    /// K = 2, MaxSize 2 (real pool only: the canaries have no lifetime, Clear or resize): A and B share
    /// conn#1 (and, for Shrink, E holds conn#2). C starts acquiring; a task retires conn#1 (the clock passes
    /// its lifetime, or Clear) or shrinks to 1, then D starts acquiring; A, B (and E) return meanwhile. A
    /// retired connection takes no lease from an acquire started after the retirement (D), is destroyed at
    /// its last return for that reason (an expired one at the latest by the next maintenance pass, see
    /// below) and never while a lease holds it (the factory checks), the pool stays under its ceiling,
    /// and C and D are served.
    /// </summary>
    internal static async Task RunRetirementRacingReturnsOnASharedConnection(PoolTarget target, Retirement how)
    {
        var spec = new PoolSpec(MaxSize: 2)
        {
            MaxLeasesPerConnection = K,
            MaxLifetime = how == Retirement.Expiry ? TimeSpan.FromSeconds(10) : Timeout.InfiniteTimeSpan,
        };
        var world = PoolWorld.Create(target, spec, random => FactoryScript.Random(random, [CreateFault.Succeed, CreateFault.Slow]));
        var (a, b) = await TwoOnOneConnectionAsync(world);
        var shared = a.Connection;
        var held = new List<(Lease Lease, string Who)> { (a, "A"), (b, "B") };
        if (how == Retirement.Shrink)
        {
            var e = await world.HoldAsync("E");
            Check.That(
                e.Connection.Id != shared.Id, PoolInvariants.LeasesWithinLimit,
                () => $"{shared} carries K = {K} leases, yet E got a third on it.");
            held.Add((e, "E"));
        }

        var c = Task.Run(() => world.AcquireAndReturnAsync("C"));
        var retire = Task.Run(async () =>
        {
            switch (how)
            {
                case Retirement.Expiry:
                    world.Time.Advance(TimeSpan.FromSeconds(20));
                    world.Ledger.MarkUnusable(shared, "past its MaxLifetime");
                    break;
                case Retirement.Clear:
                    world.Real.Clear();
                    world.Ledger.MarkUnusable(shared, "cleared");
                    break;
                default:
                    world.Real.SetMaxSize(1); // which of the two is surplus is the pool's choice
                    break;
            }

            world.CheckInvariants($"after {how}");
            return await world.AcquireAndReturnAsync($"D, started after {how}");
        });
        var returns = held.Select(h => Task.Run(() => world.Return(h.Lease, h.Who)));
        await Task.WhenAll(new Task[] { c, retire }.Concat(returns).ToArray()); // an array: the span overload escapes Coyote

        PoolWorld.Expect(c.Result, Outcome.Lease);
        PoolWorld.Expect(retire.Result, Outcome.Lease);
        if (how == Retirement.Expiry)
        {
            // An expired connection may still sit idle once every lease is back: the last return may have
            // taken the lock before any operation brought the later time (so it judged by its own, earlier
            // one: linearizable, the return came first), or an acquire took a fresher idle connection above
            // it. Never leased again: the next acquire that reaches it, or maintenance, retires it. One pass
            // settles that case. (A return judging by a time earlier than one the pool had already seen put
            // an expired connection back to idle: fixed, PoolStateTests.Return_WithATimeReadBeforeALaterOperation_….)
            world.RunMaintenance("after the last return");
        }

        var stats = world.Pool.GetStatistics();
        long retired = how switch
        {
            Retirement.Expiry => stats.DestroyedExpired,
            Retirement.Clear => stats.DestroyedCleared,
            _ => stats.DestroyedSurplus,
        };
        Check.That(
            retired >= 1 || stats.Destroying > 0, "I6 Eviction frees capacity",
            () => $"every lease came back after {how}, but no connection was destroyed for it (Destroyed={stats.Destroyed}: expired {stats.DestroyedExpired}, "
                + $"cleared {stats.DestroyedCleared}, surplus {stats.DestroyedSurplus}, idle {stats.DestroyedIdle}; Idle={stats.Idle}, Total={stats.Total}, "
                + $"creates {world.Factory.CreatesStarted}, C got {c.Result.Lease?.Connection}, D got {retire.Result.Lease?.Connection}, shared {shared}).");
        Check.That(
            how != Retirement.Shrink || stats.Total <= 1 || stats.Creating > 0 || stats.Destroying > 0, "I1 Capacity",
            () => $"every lease came back after SetMaxSize(1), yet Total={stats.Total}, Ceiling={stats.Ceiling}.");
        await world.FinishAsync();
    }

    /// <summary>
    /// K = 2, MaxSize 1: A and B share the one connection, C waits. DisposeAsync races both returns and C.
    /// No acquire started after DisposeAsync succeeds; C ends with a lease or ObjectDisposedException; the
    /// connection is destroyed once and only after both leases came back (the factory fails a destroy of a
    /// held connection); dispose completes drained.
    /// </summary>
    internal static async Task RunDisposeWithSharedLeasesOut(PoolTarget target)
    {
        var (world, a, b) = await TwoOnOneConnectionAsync(target);
        var c = Task.Run(() => world.AcquireAndReturnAsync("C"));
        var dispose = Task.Run(async () =>
        {
            // AsTask at once: Coyote 1.7.11 rewrites a ValueTask kept across an await into invalid IL.
            var disposing = world.Pool.DisposeAsync().AsTask();
            var late = await world.AcquireAsync("D, started after DisposeAsync");
            Check.That(late.Outcome == Outcome.Disposed, "I9 Dispose is complete", () => $"an acquire started after DisposeAsync ended with {late.Outcome}.");
            await disposing;
        });
        var returnA = Task.Run(() => world.Return(a, "A"));
        var returnB = Task.Run(() => world.Return(b, "B"));
        await Task.WhenAll(new[] { c, dispose, returnA, returnB });

        PoolWorld.Expect(c.Result, Outcome.Lease, Outcome.Disposed);
        await world.FinishAsync();
        Check.That(
            world.Factory.Destroys == 1, "I9 Dispose is complete",
            () => $"the one shared connection should be destroyed once; the factory destroyed {world.Factory.Destroys}.");
    }

    /// <summary>
    /// K = 2, MaxSize 1: A and B share the one connection; W1 and then W2 queue (no timeout). A and B
    /// return while W3 starts acquiring. Each freed lease goes to the oldest waiter: W3, which started
    /// after W1 and W2 were queued, gets a lease only once neither still waits (FIFO per lease), and all
    /// three are served (no lost wake-up).
    /// </summary>
    internal static async Task RunFreedRoomGoesToWaitersInOrder(PoolTarget target)
    {
        var (world, a, b) = await TwoOnOneConnectionAsync(target);
        var w1 = Task.Run(() => world.AcquireAndReturnAsync("W1"));
        await UntilWaitersAsync(world, 1);
        var w2 = Task.Run(() => world.AcquireAndReturnAsync("W2"));
        await UntilWaitersAsync(world, 2);
        var returnA = Task.Run(() => world.Return(a, "A"));
        var returnB = Task.Run(() => world.Return(b, "B"));
        var w3 = Task.Run(async () =>
        {
            var acquired = await world.AcquireAsync("W3");
            if (acquired.Lease is { } lease)
            {
                int waiting = world.Pool.GetStatistics().Waiters;
                Check.That(
                    waiting == 0, "FIFO",
                    () => $"W3 got a lease while {waiting} older waiters (W1, W2) were still queued.");
                await Task.Yield();
                world.Return(lease, "W3");
            }

            return acquired;
        });
        await Task.WhenAll(new[] { w1, w2, returnA, returnB, w3 });

        PoolWorld.Expect(w1.Result, Outcome.Lease);
        PoolWorld.Expect(w2.Result, Outcome.Lease);
        PoolWorld.Expect(w3.Result, Outcome.Lease);
        await world.FinishAsync();
    }

    /// <summary>A pool of one slot with K = 2 and a healthy factory, in which A and B share the one connection.</summary>
    internal static async Task<(PoolWorld World, Lease A, Lease B)> TwoOnOneConnectionAsync(PoolTarget target)
    {
        var world = PoolWorld.Create(target, new PoolSpec(MaxSize: 1) { MaxLeasesPerConnection = K });
        var (a, b) = await TwoOnOneConnectionAsync(world);
        return (world, a, b);
    }

    /// <summary>A and B acquire one after the other; with MaxSize 1 and K = 2 both leases are on the one connection.</summary>
    internal static async Task<(Lease A, Lease B)> TwoOnOneConnectionAsync(PoolWorld world)
    {
        var a = await world.HoldAsync("A");
        var b = await world.HoldAsync("B");
        Check.That(
            a.Connection.Id == b.Connection.Id, PoolInvariants.LeasesWithinLimit,
            () => $"with one slot and K = {K}, A and B should share a connection, but A got {a.Connection} and B {b.Connection}.");
        return (a, b);
    }

    /// <summary>Waits until <paramref name="count"/> acquires are queued (Task.Delay, not Task.Yield: the waiter's task must get its turn).</summary>
    internal static async Task UntilWaitersAsync(PoolWorld world, int count)
    {
        for (int i = 0; i < 200 && world.Pool.GetStatistics().Waiters < count; i++)
        {
            await Task.Delay(1);
        }

        int waiters = world.Pool.GetStatistics().Waiters;
        Check.That(waiters == count, "Scenario", () => $"expected {count} queued acquires, found {waiters}.");
    }

    [Test] public static Task ConcurrentAcquiresFillKAndSpillToACreate() => RunConcurrentAcquiresFillKAndSpillToACreate(PoolTarget.Real);
    [Test] public static Task InvalidateRacingTheOtherLeasesReturns() => RunInvalidateRacingTheOtherLeasesReturns(PoolTarget.Real);
    [Test] public static Task DoubleReturnOfOneSharedLease() => RunDoubleReturnOfOneSharedLease(PoolTarget.Real);
    [Test] public static Task ExpiryRacingReturnsOnASharedConnection() => RunRetirementRacingReturnsOnASharedConnection(PoolTarget.Real, Retirement.Expiry);
    [Test] public static Task ClearRacingReturnsOnASharedConnection() => RunRetirementRacingReturnsOnASharedConnection(PoolTarget.Real, Retirement.Clear);
    [Test] public static Task ShrinkRacingReturnsOnASharedConnection() => RunRetirementRacingReturnsOnASharedConnection(PoolTarget.Real, Retirement.Shrink);
    [Test] public static Task DisposeWithSharedLeasesOut() => RunDisposeWithSharedLeasesOut(PoolTarget.Real);
    [Test] public static Task FreedRoomGoesToWaitersInOrder() => RunFreedRoomGoesToWaitersInOrder(PoolTarget.Real);
}
