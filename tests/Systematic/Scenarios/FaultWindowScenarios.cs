namespace Pool.Tests.Systematic.Scenarios;

/// <summary>
/// The backend misbehaving over time: the fast-fail window (I2, I5), CreateTimeout racing the
/// factory's answer (I1, I7, I8, I9), and validation on borrow failing or timing out (I6).
/// </summary>
public static class FaultWindowScenarios
{
    /// <summary>
    /// MaxSize 2, FailFastAfter 2, backoff jitter chosen by Coyote: the first two creates fail, later
    /// ones succeed. A (no timeout), B (timeout) and C (after a yield) acquire. While the window is open
    /// nobody waits (PoolInvariants: IsUnavailable ⇒ Waiters = 0); each acquire ends with a lease, a
    /// create failure, Unavailable or a timeout; the probe closes the window, after which an acquire gets a lease.
    /// </summary>
    internal static async Task RunFastFailWindowOpensAndCloses(PoolTarget target)
    {
        var spec = new PoolSpec(MaxSize: 2) { FailFastAfter = 2, Jitter = JitterSource.Chosen };
        var world = PoolWorld.Create(target, spec, _ => FactoryScript.Creates(CreateFault.Throw, CreateFault.Throw));
        var a = Task.Run(() => world.AcquireAndReturnAsync("A"));
        var b = Task.Run(() => world.AcquireAndReturnAsync("B", PoolWorld.ShortTimeout));
        var c = Task.Run(async () =>
        {
            await Task.Yield();
            return await world.AcquireAndReturnAsync("C");
        });
        foreach (var acquired in await Task.WhenAll(new[] { a, b, c }))
        {
            PoolWorld.Expect(acquired, Outcome.Lease, Outcome.CreateFailed, Outcome.Unavailable, Outcome.TimedOut);
            Check.That(
                acquired.Outcome != Outcome.TimedOut || acquired.Who == "B", "Liveness",
                () => $"acquire '{acquired.Who}' has no timeout but timed out.");
        }

        var stats = world.Pool.GetStatistics();
        // A failed create may still be completing (its waiter already answered), so at most 2 are counted here.
        Check.That(stats.CreateFailures <= 2, PoolInvariants.FailedCreateServesAWaiter, () => $"{stats.CreateFailures} create failures counted, the factory failed only 2.");

        // The backend is back: the probe (or any create) succeeds and the window closes.
        await world.Factory.FirstSuccess;
        var after = await world.AcquireUntilLeaseAsync("after recovery", attempts: 200);
        PoolWorld.Expect(after, Outcome.Lease);
        world.Return(after.Lease!, "after recovery");
        // Failures are counted in completion order: a success that completes before the two scripted
        // failures is followed by a reopened window, and idle connections still serve it. What must hold:
        // the window is open exactly when the last FailFastAfter creates to complete all failed.
        stats = world.Pool.GetStatistics();
        Check.That(
            stats.IsUnavailable == (stats.ConsecutiveCreateFailures >= 2), "I5 Cancellation and timeout are safe",
            () => $"IsUnavailable={stats.IsUnavailable} but ConsecutiveCreateFailures={stats.ConsecutiveCreateFailures} (FailFastAfter 2).");
        await world.FinishAsync();
    }

    /// <summary>
    /// MaxSize 1, CreateTimeout 1 s: each create succeeds, is slow (ignores the token) or hangs until
    /// cancelled (Coyote's choice), and the deadline timer fires whenever Coyote likes. A (no timeout)
    /// and B (timeout) acquire. A timed-out create frees its slot at once (a new create may start), a
    /// late connection is destroyed exactly once without a slot, nothing leaks, and DisposeAsync waits
    /// for abandoned creates: afterwards the factory has nothing open and Created + LateConnections is
    /// every connection the factory made.
    /// </summary>
    internal static async Task RunCreateTimeoutRacingTheFactory(PoolTarget target)
    {
        var spec = new PoolSpec(MaxSize: 1) { CreateTimeout = TimeSpan.FromSeconds(1) };
        var world = PoolWorld.Create(
            target, spec, random => FactoryScript.Random(random, [CreateFault.Succeed, CreateFault.Slow, CreateFault.HangUntilCancelled]));
        var a = Task.Run(() => world.AcquireAndReturnAsync("A"));
        var b = Task.Run(() => world.AcquireAndReturnAsync("B", PoolWorld.ShortTimeout));
        await Task.WhenAll(new[] { a, b });
        PoolWorld.Expect(a.Result, Outcome.Lease, Outcome.CreateFailed);
        PoolWorld.Expect(b.Result, Outcome.Lease, Outcome.CreateFailed, Outcome.TimedOut);

        await world.FinishAfterCreateTimeoutsAsync();
    }

    /// <summary>
    /// MaxSize 1, ValidateAfterIdle 0 (every idle borrow validates once the clock moved), ValidationTimeout
    /// 1 s: each validation passes, fails, throws, is slow or hangs until the deadline (Coyote's choice).
    /// A returns its connection while B (no timeout) and C (timeout) acquire. A failed check destroys
    /// that connection and the same acquire goes on (B always gets a lease); every failed check is
    /// counted as DestroyedValidationFailed.
    /// </summary>
    internal static async Task RunValidationFailingOrTimingOutRacingReturns(PoolTarget target)
    {
        var world = PoolWorld.CreateCheckingEveryBorrow(
            target, ValidateFault.Pass, ValidateFault.Fail, ValidateFault.Throw, ValidateFault.Slow, ValidateFault.HangUntilCancelled);
        var a = await world.HoldAsync("A");
        var returnA = Task.Run(() =>
        {
            world.Return(a, "A");
            world.Time.Advance(TimeSpan.FromMilliseconds(1)); // idle for a while: the next borrow validates
        });
        var b = Task.Run(() => world.AcquireAndReturnAsync("B"));
        var c = Task.Run(() => world.AcquireAndReturnAsync("C", PoolWorld.ShortTimeout));
        await Task.WhenAll(new[] { returnA, b, c });
        PoolWorld.Expect(b.Result, Outcome.Lease);
        PoolWorld.Expect(c.Result, Outcome.Lease, Outcome.TimedOut);

        await world.UntilChecksReturnedAsync(); // a timed-out check destroys its connection once ValidateAsync returns (I11)
        long destroyed = world.Pool.GetStatistics().DestroyedValidationFailed;
        bool eachFailedCheckDestroyedItsConnection = world.Factory.ValidationsFailed <= destroyed && destroyed <= world.Factory.Validations;
        Check.That(eachFailedCheckDestroyedItsConnection, "I6 Eviction frees capacity", () =>
            $"the factory failed {world.Factory.ValidationsFailed} of {world.Factory.Validations} validations but the pool destroyed {destroyed} for it.");
        await world.FinishAsync();
    }

    [Test] public static Task FastFailWindowOpensAndCloses() => RunFastFailWindowOpensAndCloses(PoolTarget.Real);
    [Test] public static Task CreateTimeoutRacingTheFactory() => RunCreateTimeoutRacingTheFactory(PoolTarget.Real);
    [Test] public static Task ValidationFailingOrTimingOutRacingReturns() => RunValidationFailingOrTimingOutRacingReturns(PoolTarget.Real);
}
