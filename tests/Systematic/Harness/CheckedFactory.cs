namespace Pool.Tests.Systematic.Harness;

/// <summary>
/// The backend as the pool sees it: the kit's <see cref="FakeFactory"/>, whose creates, validations and
/// destroys follow a <see cref="FactoryScript"/>, checked as each call happens against the ground truth
/// kept here: which connections are open, which are leased by the scenario, how many calls are in flight.
/// It reports a bug the moment it sees more open connections than MaxSize (I1), a second destroy of a
/// connection (I7), a destroy of a leased connection or one connection leased twice at once with exclusive leases (I7), and two
/// calls or a call and a lease overlapping on one connection: a validation, destroy or lease while a
/// validation or destroy of it still runs (I11).
/// </summary>
/// <remarks>
/// Only for code running under Coyote (one operation at a time, switches only at scheduling points):
/// the bookkeeping here has no scheduling point inside it, so it needs no lock.
/// </remarks>
internal sealed class CheckedFactory : IConnectionFactory<TestConnection>
{
    private readonly HashSet<int> _open = [];
    private readonly HashSet<int> _destroyed = [];
    private readonly HashSet<int> _leased = [];
    private readonly HashSet<int> _validating = []; // a ValidateAsync on it has started and not returned
    private readonly HashSet<int> _destroying = []; // a DestroyAsync on it has started and not returned

    private readonly TaskCompletionSource _firstSuccess = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly FakeFactory _backend;

    public CheckedFactory(FactoryScript script, int maxSize)
    {
        MaxSize = maxSize;
        _backend = new FakeFactory
        {
            CreateScript = _ => CreateStep(script),
            ValidateScript = connection => ValidateStep(script, connection),

            // Every destroy yields once (the connection closes later than the call starts), then closes it.
            DestroyScript = connection => (script.NextDestroyThrows()
                ? FactoryStep.Throw(new ScriptedFaultException($"Scripted destroy failure for {connection} (the connection is closed anyway)."))
                : FactoryStep.Succeed).AfterYields(1),
        };
    }

    public int MaxSize { get; }

    /// <summary>Completes when a create first returns a connection (a scenario can wait for the backend's recovery without polling).</summary>
    public Task FirstSuccess => _firstSuccess.Task;

    /// <summary>Changes with every call that starts or ends, so a reader can tell a quiet moment from a busy one.</summary>
    public int Version { get; private set; }

    public int CreatesStarted { get; private set; }

    public int CreatesFailed { get; private set; }

    /// <summary>Creates that returned a connection (whether the pool still wanted it or not).</summary>
    public int CreatesSucceeded { get; private set; }

    public int CreatesInFlight { get; private set; }

    public int Destroys { get; private set; }

    public int DestroysInFlight { get; private set; }

    public int Validations { get; private set; }

    /// <summary>Validations the script failed (false, threw, or hung until cancelled).</summary>
    public int ValidationsFailed { get; private set; }

    /// <summary>Connections created and not yet destroyed.</summary>
    public int Open => _open.Count;

    /// <summary>Connections the scenario holds a lease on.</summary>
    public int Leased => _leased.Count;

    public bool IsQuiet => CreatesInFlight == 0 && DestroysInFlight == 0;

    /// <summary>
    /// The most create calls the pool may have in flight at once (its MaxConcurrentCreates, I8), checked
    /// at every call, abandoned calls still running included; null: not checked.
    /// </summary>
    public int? MaxCreatesInFlight { get; set; }

    public async ValueTask<TestConnection> CreateAsync(CancellationToken cancellationToken)
    {
        CreatesStarted++;
        CreatesInFlight++;
        Version++;
        if (MaxCreatesInFlight is { } cap)
        {
            int inFlight = CreatesInFlight;
            Check.That(
                inFlight <= cap, "I8 Creates belong to the pool",
                () => $"the factory has {inFlight} create calls in flight but MaxConcurrentCreates is {cap} (abandoned calls still running count).");
        }

        try
        {
            TestConnection connection;
            try
            {
                connection = await _backend.CreateAsync(cancellationToken);
            }
            catch (ScriptedFaultException)
            {
                CreatesFailed++;
                throw;
            }

            _open.Add(connection.Id);
            CreatesSucceeded++;
            _firstSuccess.TrySetResult();
            CreatedAtStage.Add(connection.Id, Stage);
            if (_open.Count > MaxSize)
            {
                CheckCapacity();
            }

            return connection;
        }
        finally
        {
            CreatesInFlight--;
            Version++;
        }
    }

    /// <summary>A label scenarios set (e.g. a Clear's generation); each connection remembers the label of when its create returned.</summary>
    public int Stage { get; set; }

    /// <summary>The <see cref="Stage"/> each connection was made in.</summary>
    public Dictionary<int, int> CreatedAtStage { get; } = [];

    public async ValueTask<bool> ValidateAsync(TestConnection connection, CancellationToken cancellationToken)
    {
        Validations++;
        CheckUsable(connection, "validated");
        CheckNoCall(connection, "validated");
        Check.That(
            !_leased.Contains(connection.Id), OneCallAtATime,
            () => $"{connection} was validated while the scenario held a lease on it.");
        _validating.Add(connection.Id);
        try
        {
            return await ValidateCoreAsync(connection, cancellationToken);
        }
        finally
        {
            _validating.Remove(connection.Id);
            if (PoolDisposed is not null)
            {
                ValidatedAfterDispose[connection.Id] = PoolDisposed();
            }
        }
    }

    /// <summary>Whether the pool has started disposing (set by scenarios that race dispose with a check on borrow).</summary>
    public Func<bool>? PoolDisposed { get; set; }

    /// <summary>For each connection, whether its last ValidateAsync returned after the pool's dispose had started (needs <see cref="PoolDisposed"/>).</summary>
    public Dictionary<int, bool> ValidatedAfterDispose { get; } = [];

    private ValueTask<bool> ValidateCoreAsync(TestConnection connection, CancellationToken cancellationToken) =>
        _backend.ValidateAsync(connection, cancellationToken);

    /// <summary>What the script's next create fault means for the kit's factory.</summary>
    private static FactoryStep CreateStep(FactoryScript script) => script.NextCreate() switch
    {
        CreateFault.Slow => FactoryStep.Succeed.AfterYields(script.NextSlowness()),
        CreateFault.Throw => FactoryStep.Throw(new ScriptedFaultException("Scripted create failure: the backend is down.")).AfterYields(1),
        CreateFault.HangUntilCancelled => FactoryStep.HangUntilCancelled,
        _ => FactoryStep.Succeed,
    };

    /// <summary>What the script's next validation fault means for the kit's factory; counts the ones that fail.</summary>
    private FactoryStep ValidateStep(FactoryScript script, TestConnection connection)
    {
        var fault = script.NextValidation();
        if (fault is ValidateFault.Fail or ValidateFault.Throw or ValidateFault.HangUntilCancelled)
        {
            ValidationsFailed++;
        }

        return fault switch
        {
            ValidateFault.Fail => FactoryStep.Fail,
            ValidateFault.Throw => FactoryStep.Throw(new ScriptedFaultException($"Scripted validation failure for {connection}.")).AfterYields(1),
            ValidateFault.Slow => FactoryStep.Succeed.AfterYields(1),
            ValidateFault.HangUntilCancelled => FactoryStep.HangUntilCancelled,
            _ => FactoryStep.Succeed,
        };
    }

    public async ValueTask DestroyAsync(TestConnection connection)
    {
        DestroysInFlight++;
        Version++;
        try
        {
            Check.That(!_destroyed.Contains(connection.Id), "I7 At most once", () => $"{connection} was destroyed twice.");
            Check.That(_open.Contains(connection.Id), "I7 At most once", () => $"{connection} was destroyed but this factory never created it.");
            Check.That(!_leased.Contains(connection.Id), "I7 At most once", () => $"{connection} was destroyed while a lease still held it.");
            CheckNoCall(connection, "destroyed");
            _destroying.Add(connection.Id);
            try
            {
                await _backend.DestroyAsync(connection);
            }
            finally
            {
                // A scripted destroy that throws has closed the connection anyway.
                _open.Remove(connection.Id);
                _destroyed.Add(connection.Id);
                Destroys++;
            }
        }
        finally
        {
            _destroying.Remove(connection.Id);
            DestroysInFlight--;
            Version++;
        }
    }

    /// <summary>
    /// What the pool says beyond MaxSize may be open: its shrink ceiling (above MaxSize while a lowered
    /// MaxSize drains, or MaxSize after raising) and abandoned creates (their late connections hold no
    /// slot until destroyed). Null: nothing beyond the MaxSize the factory was made with.
    /// </summary>
    public Func<PoolStatistics>? Allowance { get; set; }

    private void CheckCapacity()
    {
        int version = Version;
        int open = _open.Count;
        int allowed = MaxSize;
        if (Allowance is not null)
        {
            var stats = Allowance();
            if (version != Version)
            {
                return; // Another factory call moved meanwhile; the pool-side checks compare again later.
            }

            allowed = Math.Max(MaxSize, stats.Ceiling) + stats.Abandoned;
        }

        Check.That(
            open <= allowed, "I1 Capacity",
            () => $"the factory holds {open} open connections but MaxSize is {MaxSize} (allowed now: {allowed}, counting the pool's ceiling and abandoned creates).");
    }

    /// <summary>
    /// The scenario got a lease on <paramref name="connection"/>: its first on it (<paramref name="shared"/>
    /// false; a second at once is I7 for exclusive leases), or another beside the ones it holds (shared
    /// leases, counted by the <see cref="LeaseLedger"/>). Either way the connection must be open and free of calls.
    /// </summary>
    public void NoteLeased(TestConnection connection, bool shared = false)
    {
        CheckUsable(connection, "leased");
        CheckNoCall(connection, "leased");
        if (!shared)
        {
            Check.That(_leased.Add(connection.Id), "I7 At most once", () => $"{connection} is held by two leases at once.");
        }
    }

    /// <summary>The scenario is about to return its last lease on <paramref name="connection"/>.</summary>
    public void NoteReturned(TestConnection connection) => _leased.Remove(connection.Id);

    private const string OneCallAtATime = "I11 One call at a time per connection";

    private void CheckNoCall(TestConnection connection, string what)
    {
        Check.That(!_validating.Contains(connection.Id), OneCallAtATime, () => $"{connection} was {what} while its ValidateAsync still ran.");
        Check.That(!_destroying.Contains(connection.Id), OneCallAtATime, () => $"{connection} was {what} while its DestroyAsync still ran.");
    }

    private void CheckUsable(TestConnection connection, string what) =>
        Check.That(
            _open.Contains(connection.Id), "I7 At most once",
            () => $"{connection} was {what} after it was destroyed.");
}
