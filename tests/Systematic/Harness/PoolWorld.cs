using Microsoft.Coyote.Random;

namespace Pool.Tests.Systematic.Harness;

/// <summary>Which pool a scenario drives: the real one or a canary with one known bug.</summary>
internal enum PoolTarget
{
    Real,
    CheckThenCreateCanary,
    SlotLeakCanary,
    LostHandOffCanary,
    NoWakeUpCanary,
    AbandonedCreateCanary,
    UncheckedReturnCanary,
    LeaseOnFullConnectionCanary,
    LeaseOnBrokenConnectionCanary,
    LeaseCountDecrementedTwiceCanary,
    WaiterDeadlineLeftArmedCanary,

    /// <summary>The canary built with no bug: a scenario must pass on it too.</summary>
    CorrectCanary,
}

/// <summary>How an acquire ended. Liveness: every acquire ends with exactly one of these.</summary>
internal enum Outcome
{
    Lease,
    TimedOut,
    Cancelled,
    Disposed,
    CreateFailed,

    /// <summary>PoolUnavailableException: the fast-fail window was open and no idle connection served.</summary>
    Unavailable,
}

/// <summary>
/// One iteration's world: a fresh pool, a <see cref="CheckedFactory"/>, a <see cref="CoyoteClock"/>
/// and Coyote's random generator. Nothing in it outlives the iteration. Its operations check the
/// shared invariants as they go; <see cref="FinishAsync"/> checks the end state and disposes the pool.
/// </summary>
internal sealed class PoolWorld
{
    private PoolWorld(PoolTarget target, PoolSpec spec, Func<Generator, FactoryScript> script)
    {
        Spec = spec;
        Random = Generator.Create();
        Time = new CoyoteClock();
        Factory = new CheckedFactory(script(Random), spec.MaxSize);
        Ledger = new LeaseLedger(Factory, spec.MaxLeasesPerConnection);
        var random = new ControlledRandom(spec.Jitter, Random);
        Pool = target switch
        {
            PoolTarget.Real => spec.CreateReal(Factory, Time, random),
            PoolTarget.CheckThenCreateCanary => spec.CreateCanary(CanaryBug.CheckThenCreate, Factory, Time, random),
            PoolTarget.SlotLeakCanary => spec.CreateCanary(CanaryBug.SlotLeakOnFailedCreate, Factory, Time, random),
            PoolTarget.LostHandOffCanary => spec.CreateCanary(CanaryBug.LostHandOffToDeadWaiter, Factory, Time, random),
            PoolTarget.NoWakeUpCanary => spec.CreateCanary(CanaryBug.NoWakeUpAfterFailedCreate, Factory, Time, random),
            PoolTarget.AbandonedCreateCanary => spec.CreateCanary(CanaryBug.AbandonedCreateUncounted, Factory, Time, random),
            PoolTarget.UncheckedReturnCanary => spec.CreateCanary(CanaryBug.UncheckedReturnOnCancelledCheck, Factory, Time, random),
            PoolTarget.LeaseOnFullConnectionCanary => spec.CreateCanary(CanaryBug.LeaseOnFullConnection, Factory, Time, random),
            PoolTarget.LeaseOnBrokenConnectionCanary => spec.CreateCanary(CanaryBug.LeaseOnBrokenConnection, Factory, Time, random),
            PoolTarget.LeaseCountDecrementedTwiceCanary => spec.CreateCanary(CanaryBug.LeaseCountDecrementedTwice, Factory, Time, random),
            PoolTarget.WaiterDeadlineLeftArmedCanary => spec.CreateCanary(CanaryBug.WaiterDeadlineLeftArmed, Factory, Time, random),
            PoolTarget.CorrectCanary => spec.CreateCanary(null, Factory, Time, random),
            _ => throw new ArgumentOutOfRangeException(nameof(target), target, "Unknown pool target."),
        };
        if (target == PoolTarget.Real)
        {
            Factory.Allowance = Pool.GetStatistics;
        }

        if (target is PoolTarget.Real or PoolTarget.AbandonedCreateCanary) // the canary's bug breaks this bound (I8)
        {
            Factory.MaxCreatesInFlight = spec.MaxConcurrentCreates ?? spec.MaxSize;
        }
    }

    public Generator Random { get; }

    public CoyoteClock Time { get; }

    public CheckedFactory Factory { get; }

    /// <summary>The scenario's leases per connection (shared-lease invariants).</summary>
    public LeaseLedger Ledger { get; }

    public IPoolUnderTest Pool { get; }

    public PoolSpec Spec { get; }

    /// <summary>The real pool, for lifecycle operations the canaries do not have (Clear, SetMaxSize, RunMaintenance, WarmUpAsync).</summary>
    public ConnectionPool<TestConnection> Real =>
        (Pool as RealPool)?.Inner ?? throw new InvalidOperationException("This scenario drives lifecycle operations only the real pool has.");

    /// <summary>A timeout for acquires that may time out; its length does not matter, the timer's task decides.</summary>
    public static TimeSpan ShortTimeout { get; } = TimeSpan.FromSeconds(1);

    public static PoolWorld Create(PoolTarget target, PoolSpec spec, Func<Generator, FactoryScript>? script = null) =>
        new(target, spec, script ?? (_ => FactoryScript.Healthy()));

    /// <summary>
    /// One slot checked on every idle borrow (ValidateAfterIdle 0) with a 1 s ValidationTimeout; every
    /// create succeeds and each check answers one of <paramref name="checks"/> (Coyote's choice).
    /// </summary>
    public static PoolWorld CreateCheckingEveryBorrow(PoolTarget target, params ValidateFault[] checks) =>
        Create(
            target,
            new PoolSpec(MaxSize: 1) { ValidateAfterIdle = TimeSpan.Zero, ValidationTimeout = TimeSpan.FromSeconds(1) },
            random => FactoryScript.Healthy().WithValidations(random, checks));

    /// <summary>
    /// A pool of one slot whose only connection A already holds: where every race between A's return
    /// (or invalidation, or a dispose) and the acquirers waiting for that slot starts.
    /// </summary>
    public static async Task<(PoolWorld World, Lease A)> OneSlotHeldByAAsync(PoolTarget target, Func<Generator, FactoryScript>? script = null)
    {
        var world = Create(target, new PoolSpec(MaxSize: 1), script);
        return (world, await world.HoldAsync("A"));
    }

    /// <summary>Acquires for <paramref name="who"/>, which must get a lease: a scenario's set-up, not one of its races.</summary>
    public async Task<Lease> HoldAsync(string who)
    {
        var acquired = await AcquireAsync(who);
        Expect(acquired, Outcome.Lease);
        return acquired.Lease!;
    }

    /// <summary>Acquires and classifies the ending; a lease is recorded with the factory (no double lease).</summary>
    public async Task<Acquired> AcquireAsync(string who, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        Outcome outcome;
        Lease? lease = null;
        long started = Ledger.Tick();
        try
        {
            var handle = await Pool.AcquireAsync(timeout, cancellationToken);
            Ledger.Leased(handle.Connection, started, who);
            lease = new Lease(handle, Ledger);
            outcome = Outcome.Lease;
        }
        catch (PoolExhaustedException)
        {
            Check.That(timeout is not null, "Liveness", $"acquire '{who}' has no timeout but timed out.");
            outcome = Outcome.TimedOut;
        }
        catch (OperationCanceledException)
        {
            Check.That(cancellationToken.IsCancellationRequested, "Liveness", $"acquire '{who}' was cancelled although its token was not.");
            outcome = Outcome.Cancelled;
        }
        catch (ObjectDisposedException)
        {
            outcome = Outcome.Disposed;
        }
        catch (ConnectionCreateException)
        {
            outcome = Outcome.CreateFailed;
        }
        catch (PoolUnavailableException)
        {
            outcome = Outcome.Unavailable;
        }
        catch (PoolInvariantException ex)
        {
            Check.Fail(ex.Message);
            throw;
        }
        catch (Exception ex)
        {
            Check.Fail(
                $"Liveness violated: acquire '{who}' ended with {ex.GetType().Name} ({ex.Message}), not with a lease, "
                + "a timeout, a cancellation, ObjectDisposedException, ConnectionCreateException or PoolUnavailableException.");
            throw;
        }

        CheckInvariants($"after acquire '{who}' ended with {outcome}");
        return new Acquired(who, outcome, lease);
    }

    /// <summary>TryAcquire: never waits; a lease it gets is recorded with the factory like any other.</summary>
    public Lease? TryAcquire(string who)
    {
        Lease? lease = null;
        long started = Ledger.Tick();
        if (Pool.TryAcquire(out var handle))
        {
            Ledger.Leased(handle.Connection, started, who);
            lease = new Lease(handle, Ledger);
        }

        CheckInvariants($"after TryAcquire '{who}' {(lease is null ? "found nothing idle" : "got " + lease.Connection)}");
        return lease;
    }

    /// <summary>Acquires, then returns the lease (if any) after letting others run.</summary>
    public async Task<Acquired> AcquireAndReturnAsync(string who, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var acquired = await AcquireAsync(who, timeout, cancellationToken);
        if (acquired.Lease is { } lease)
        {
            await Task.Yield();
            Return(lease, who);
        }

        return acquired;
    }

    /// <summary>
    /// A and B acquire with <see cref="ShortTimeout"/> and return at once, concurrently; each must end with
    /// a lease, a create failure or a timeout. Then <see cref="FinishAsync"/>.
    /// </summary>
    public async Task TwoTimedAcquirersThenFinishAsync()
    {
        var acquires = new[]
        {
            Task.Run(() => AcquireAndReturnAsync("A", ShortTimeout)),
            Task.Run(() => AcquireAndReturnAsync("B", ShortTimeout)),
        };
        foreach (var acquired in await Task.WhenAll(acquires))
        {
            Expect(acquired, Outcome.Lease, Outcome.CreateFailed, Outcome.TimedOut);
        }

        await FinishAsync();
    }

    /// <summary>One maintenance pass of the real pool (what its timer would run), then the invariants.</summary>
    public void RunMaintenance(string who)
    {
        Real.RunMaintenance();
        CheckInvariants($"after maintenance pass '{who}'");
    }

    /// <summary>Acquires until a lease comes, at most <paramref name="attempts"/> times, yielding between attempts (e.g. while the fast-fail window is open).</summary>
    public async Task<Acquired> AcquireUntilLeaseAsync(string who, int attempts)
    {
        Acquired acquired = await AcquireAsync(who);
        for (int i = 1; i < attempts && acquired.Outcome != Outcome.Lease; i++)
        {
            // Not Task.Yield: an unfair schedule may pick this loop at every yield and never run the
            // create that closes the window. Coyote runs a delayed operation only when it chooses
            // to, so the pool's pending work gets its turn.
            await Task.Delay(1);
            acquired = await AcquireAsync(who);
        }

        return acquired;
    }

    public void Return(Lease lease, string who)
    {
        lease.Return();
        CheckInvariants($"after '{who}' returned {lease.Connection}");
    }

    /// <summary>
    /// Checks the shared invariants on a snapshot and the pool's accounting against the factory's:
    /// at every instant, each open connection is alive in the pool, a create the pool has not settled
    /// yet, or an abandoned create's late connection (Open ≤ Live + Creating + Abandoned), and the pool
    /// counts no connection the factory closed except destroys in flight (Open ≥ Live − Destroying).
    /// When nothing is in flight in the pool or the factory, Created − Destroyed is exactly what the
    /// factory has open (late connections hold no slot and are never in Created or Destroyed).
    /// </summary>
    public void CheckInvariants(string where)
    {
        int version = Factory.Version;
        bool quiet = Factory.IsQuiet;
        int open = Factory.Open;
        var stats = Pool.GetStatistics();
        if (PoolInvariants.FindViolation(stats) is { } violation)
        {
            Check.Fail($"{violation} Seen {where}.");
        }

        int held = Ledger.Connections, leases = Ledger.Leases;
        Check.That(
            stats.InUse >= held && stats.Leases >= leases, PoolInvariants.LeaseConservation,
            () => $"the scenario holds {leases} leases on {held} connections but the pool counts only {stats.Leases} leases on {stats.InUse} connections in use: "
                + $"it lost a lease. Seen {where}.");

        if (version != Factory.Version)
        {
            return; // The factory moved while the snapshot was taken: the two cannot be compared.
        }

        Check.That(
            open <= stats.Live + stats.Creating + stats.Abandoned, "I1 Capacity",
            () => $"the factory has {open} open connections but the pool accounts for at most {stats.Live + stats.Creating + stats.Abandoned} "
                + $"(alive {stats.Live} + creating {stats.Creating} + abandoned {stats.Abandoned}): a connection exists outside the pool's count. Seen {where}.");
        Check.That(
            open >= stats.Live - stats.Destroying, "I3 Conservation across hand-off",
            () => $"the pool counts {stats.Live} connections alive ({stats.Destroying} being destroyed) but the factory has only {open} open. Seen {where}.");
        if (quiet && stats.Creating == 0 && stats.Destroying == 0 && stats.Abandoned == 0)
        {
            Check.That(
                stats.Live == open, "I3 Conservation across hand-off",
                () => $"the factory has {open} open connections but the pool counts Created − Destroyed = {stats.Live}. Seen {where}.");
        }
    }

    /// <summary>Asserts that <paramref name="acquired"/> ended with one of <paramref name="allowed"/>.</summary>
    public static void Expect(Acquired acquired, params Outcome[] allowed) =>
        Check.That(
            allowed.Contains(acquired.Outcome), "Liveness",
            () => $"acquire '{acquired.Who}' ended with {acquired.Outcome}; this scenario allows only {string.Join(", ", allowed)}.");

    /// <summary>
    /// Call when every acquire of the scenario has ended and every lease was returned: checks the
    /// quiet state, disposes the pool, waits until it drained and checks that nothing is left.
    /// </summary>
    public async Task FinishAsync()
    {
        await UntilChecksReturnedAsync();
        Check.That(Factory.Leased == 0, "Scenario", () => $"the scenario still holds {Factory.Leased} leases at its end.");
        int version = Factory.Version;
        bool quiet = Factory.IsQuiet;
        var stats = Pool.GetStatistics();
        Check.That(stats.Waiters == 0, "I5 Cancellation and timeout are safe", () => $"every acquire has ended but {stats.Waiters} waiters are still queued.");
        if (quiet && version == Factory.Version && stats.Creating == 0 && stats.Destroying == 0 && stats.Abandoned == 0)
        {
            CheckNothingLeased(stats, "at the end of the scenario");
        }

        CheckInvariants("at the end of the scenario");
        await Pool.DisposeAsync();
        CheckDrained("after DisposeAsync completed");
        var late = await AcquireAsync("after dispose");
        Check.That(late.Outcome == Outcome.Disposed, "I9 Dispose is complete", () => $"an acquire after dispose ended with {late.Outcome}.");
    }

    /// <summary>
    /// <see cref="FinishAsync"/> for a scenario whose creates may have passed CreateTimeout: first, each
    /// connection that arrived after its deadline came from a create that timed out, at most once (I7).
    /// FinishAsync then checks Abandoned 0, nothing open, and Created + LateConnections = made.
    /// </summary>
    public async Task FinishAfterCreateTimeoutsAsync()
    {
        var stats = Pool.GetStatistics();
        Check.That(
            stats.LateConnections <= stats.CreateTimeouts, "I7 At most once",
            () => $"LateConnections {stats.LateConnections}, CreateTimeouts {stats.CreateTimeouts}, factory creates {Factory.CreatesStarted}.");
        await FinishAsync();
    }

    /// <summary>
    /// Waits until no check on borrow holds a connection any more: a check whose acquirer left keeps
    /// its connection (in InUse, leased to no one in the scenario) until ValidateAsync returns (I11),
    /// which a hung validation does only at its ValidationTimeout, a timer Coyote fires when it chooses.
    /// </summary>
    public async Task UntilChecksReturnedAsync()
    {
        for (int i = 0; i < 100 && Pool.GetStatistics() is var stats && stats.InUse > Factory.Leased && !stats.IsDisposed; i++)
        {
            await Task.Delay(1); // not Task.Yield: a delayed operation lets Coyote run the timer and the check
        }
    }

    /// <summary>After DisposeAsync: no slot, no connection, no call in flight.</summary>
    private void CheckDrained(string where)
    {
        var stats = Pool.GetStatistics();
        Check.That(stats.IsDisposed, "I9 Dispose is complete", $"the pool does not report itself disposed {where}.");
        Check.That(
            stats.Creating == 0, PoolInvariants.FailedCreateServesAWaiter,
            () => $"the pool still counts {stats.Creating} creates in flight {where}, but the factory has {Factory.CreatesInFlight} "
                + $"({Factory.CreatesFailed} of {Factory.CreatesStarted} creates failed): a failed create kept its slot.");
        CheckNothingLeased(stats, where);
        if (PoolInvariants.FindViolation(stats) is { } violation)
        {
            Check.Fail($"{violation} Seen {where}.");
        }

        Check.That(Factory.IsQuiet, "I9 Dispose is complete", () => $"{Factory.CreatesInFlight} creates and {Factory.DestroysInFlight} destroys still run {where}.");
        Check.That(Factory.Open == 0, "I9 Dispose is complete", () => $"the factory still has {Factory.Open} open connections {where}.");
        Check.That(stats.Total == 0, "I9 Dispose is complete", () => $"the pool still counts Total = {stats.Total} {where}.");
        Check.That(Time.TimersLive == 0, "I9 Dispose is complete", () => $"{Time.TimersLive} of the {Time.TimersCreated} timers the pool made are still armed {where}: a wait, create or check left its timer behind.");
        Check.That(
            stats.Abandoned == 0, "I9 Dispose is complete",
            () => $"the pool still counts {stats.Abandoned} abandoned creates or late destroys {where}: DisposeAsync must wait for them.");
        Check.That(
            Factory.CreatesSucceeded == stats.Created + stats.LateConnections, "I7 At most once",
            () => $"the factory made {Factory.CreatesSucceeded} connections but the pool counts Created {stats.Created} + LateConnections {stats.LateConnections} {where}.");
    }

    private void CheckNothingLeased(PoolStatistics stats, string where)
    {
        Check.That(
            stats.InUse == Factory.Leased, "I3 Conservation across hand-off",
            () => $"the scenario holds {Factory.Leased} leases but the pool counts InUse = {stats.InUse} {where}: a connection was lost in a hand-off.");
        Check.That(
            stats.Live == Factory.Open, "I3 Conservation across hand-off",
            () => $"the factory has {Factory.Open} open connections but the pool counts Created − Destroyed = {stats.Live} {where}.");
    }
}

/// <summary>How one acquire ended, and its lease if it got one.</summary>
internal sealed record Acquired(string Who, Outcome Outcome, Lease? Lease);

/// <summary>A lease held by the scenario. Returning tells the ledger first, so a hand-off is never seen as a double lease.</summary>
internal sealed class Lease(ILeaseHandle handle, LeaseLedger ledger)
{
    private bool _returned;

    public TestConnection Connection => handle.Connection;

    /// <summary>Returns the connection; may be called from several tasks, only the pool decides which one counts.</summary>
    public void Return()
    {
        if (!_returned)
        {
            _returned = true;
            ledger.Returned(Connection);
        }

        handle.Return();
    }

    /// <summary>
    /// Marks the connection broken. Only if this lease was still out when the pool took the call does the
    /// ledger mark the connection unusable (a lease returned first leaves its connection healthy).
    /// </summary>
    public void Invalidate()
    {
        handle.Invalidate();
        if (!_returned)
        {
            ledger.MarkUnusable(Connection, "invalidated");
        }
    }
}
