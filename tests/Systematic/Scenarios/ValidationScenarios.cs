namespace Pool.Tests.Systematic.Scenarios;

/// <summary>
/// I11 One call at a time per connection; L1 Validation on borrow cut short by the acquirer's
/// cancellation or ValidationTimeout; I9 Dispose is complete while an acquire validates.
/// </summary>
public static class ValidationScenarios
{
    /// <summary>
    /// MaxSize 1, ValidateAfterIdle 0, ValidationTimeout 1 s; each validation passes, fails, is slow or
    /// hangs until its token is cancelled (Coyote's choice). B borrows the idle connection with a token
    /// another task cancels; C borrows it too (with a timeout). While B's check runs nobody else may
    /// lease, validate or destroy that connection (I11, the factory checks it), and every acquire B or
    /// C lost to a cancellation is counted in Cancelled.
    /// </summary>
    internal static async Task RunCancelledValidationRacingAnotherAcquire(PoolTarget target)
    {
        // The canary has no ValidationTimeout and trusts every answer: it gets passing checks only.
        ValidateFault[] checks = target == PoolTarget.Real
            ? [ValidateFault.Pass, ValidateFault.Fail, ValidateFault.Slow, ValidateFault.HangUntilCancelled]
            : [ValidateFault.Pass, ValidateFault.Slow];
        var world = PoolWorld.CreateCheckingEveryBorrow(target, checks);
        var a = await world.HoldAsync("A");
        world.Return(a, "A");
        world.Time.Advance(TimeSpan.FromMilliseconds(1)); // idle for a while: the next borrow validates

        using var cancelB = new CancellationTokenSource();
        bool cancelledBeforeStart = false;
        var b = Task.Run(() =>
        {
            // No scheduling point between this read and the pool's own: an acquire whose token is
            // already cancelled throws before anything changes and is not counted (I5).
            cancelledBeforeStart = cancelB.IsCancellationRequested;
            return world.AcquireAndReturnAsync("B", cancellationToken: cancelB.Token);
        });
        var cancel = Task.Run(cancelB.Cancel);
        var c = Task.Run(() => world.AcquireAndReturnAsync("C", PoolWorld.ShortTimeout));
        await Task.WhenAll(new[] { b, cancel, c });
        PoolWorld.Expect(b.Result, Outcome.Lease, Outcome.Cancelled);
        PoolWorld.Expect(c.Result, Outcome.Lease, Outcome.TimedOut);

        long cancelled = b.Result.Outcome == Outcome.Cancelled && !cancelledBeforeStart ? 1 : 0;
        var stats = world.Pool.GetStatistics();
        Check.That(
            stats.Cancelled == cancelled || target != PoolTarget.Real, "I5 Cancellation and timeout are safe", // the canary counts no cancellations
            () => $"{cancelled} acquires were cancelled after they started but the pool counts Cancelled = {stats.Cancelled}.");
        await world.FinishAsync();
    }

    /// <summary>
    /// MaxSize 1, ValidateAfterIdle 0: B borrows the idle connection and validates it (passes, fails,
    /// is slow or hangs until cancelled) while another task disposes the pool. Once dispose has started
    /// no acquire may succeed: B may get the lease only if its check returned before dispose started;
    /// otherwise it fails with ObjectDisposedException and the connection is destroyed only after
    /// ValidateAsync returned (I11).
    /// </summary>
    internal static async Task RunDisposeRacingAValidatingAcquire(PoolTarget target)
    {
        var world = PoolWorld.CreateCheckingEveryBorrow(target, ValidateFault.Pass, ValidateFault.Fail, ValidateFault.Slow, ValidateFault.HangUntilCancelled);
        world.Factory.PoolDisposed = () => world.Pool.GetStatistics().IsDisposed;
        var a = await world.HoldAsync("A");
        world.Return(a, "A");
        world.Time.Advance(TimeSpan.FromMilliseconds(1));

        var b = Task.Run(async () =>
        {
            var acquired = await world.AcquireAsync("B");
            if (acquired.Lease is { } lease)
            {
                bool late = world.Factory.ValidatedAfterDispose.TryGetValue(lease.Connection.Id, out bool after) && after;
                Check.That(
                    !late, "I9 Dispose is complete",
                    () => $"acquire 'B' got {lease.Connection} although its check on borrow returned after dispose had started.");
                await Task.Yield();
                world.Return(lease, "B");
            }

            return acquired;
        });
        var dispose = Task.Run(async () =>
        {
            // AsTask at once: Coyote 1.7.11 rewrites a ValueTask kept across an await into invalid IL.
            var disposing = world.Pool.DisposeAsync().AsTask();
            await disposing;
        });
        await Task.WhenAll(new[] { b, dispose });
        PoolWorld.Expect(b.Result, Outcome.Lease, Outcome.Disposed);
        await world.FinishAsync();
    }

    [Test] public static Task CancelledValidationRacingAnotherAcquire() => RunCancelledValidationRacingAnotherAcquire(PoolTarget.Real);
    [Test] public static Task DisposeRacingAValidatingAcquire() => RunDisposeRacingAValidatingAcquire(PoolTarget.Real);
}
