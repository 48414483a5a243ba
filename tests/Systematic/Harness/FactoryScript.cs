using Microsoft.Coyote.Random;

namespace Pool.Tests.Systematic.Harness;

/// <summary>What one call to <see cref="CheckedFactory.CreateAsync"/> does.</summary>
internal enum CreateFault
{
    /// <summary>Returns a new connection at once.</summary>
    Succeed,

    /// <summary>Yields one to three times (a controlled choice), then returns a new connection.</summary>
    Slow,

    /// <summary>Throws <see cref="ScriptedFaultException"/> (the backend is down).</summary>
    Throw,

    /// <summary>Never returns until the pool's token is cancelled, then throws <see cref="OperationCanceledException"/>.</summary>
    HangUntilCancelled,
}

/// <summary>What one call to <see cref="CheckedFactory.ValidateAsync"/> does.</summary>
internal enum ValidateFault
{
    /// <summary>The connection is good.</summary>
    Pass,

    /// <summary>The connection is broken (false).</summary>
    Fail,

    /// <summary>Throws (counts as failed).</summary>
    Throw,

    /// <summary>Yields, then passes.</summary>
    Slow,

    /// <summary>Never answers until the pool's token is cancelled (ValidationTimeout or the acquirer's cancellation).</summary>
    HangUntilCancelled,
}

/// <summary>
/// The factory's choices, in order. Each is either fixed or drawn from Coyote's controlled random
/// generator, so Coyote explores the faults together with the interleavings and replays them.
/// </summary>
internal sealed class FactoryScript
{
    private readonly Queue<CreateFault> _creates;
    private readonly Func<CreateFault> _thenCreate;
    private readonly Func<ValidateFault> _validate;
    private readonly Func<bool> _destroyThrows;
    private readonly Generator? _random;

    private FactoryScript(
        IEnumerable<CreateFault> creates, Func<CreateFault> thenCreate, Func<ValidateFault> validate, Func<bool> destroyThrows, Generator? random)
    {
        _creates = new Queue<CreateFault>(creates);
        _thenCreate = thenCreate;
        _validate = validate;
        _destroyThrows = destroyThrows;
        _random = random;
    }

    /// <summary>Every create succeeds, every validation passes, no destroy throws.</summary>
    public static FactoryScript Healthy() => new([], () => CreateFault.Succeed, () => ValidateFault.Pass, () => false, null);

    /// <summary>The given creates in order, then every create succeeds.</summary>
    public static FactoryScript Creates(params CreateFault[] creates) => new(creates, () => CreateFault.Succeed, () => ValidateFault.Pass, () => false, null);

    /// <summary>Each create, validation and destroy drawn by Coyote from the given choices.</summary>
    public static FactoryScript Random(
        Generator random, CreateFault[] creates, bool validationMayFail = false, bool destroyMayThrow = false) =>
        new(
            [],
            () => creates[random.NextInteger(creates.Length)],
            () => !validationMayFail || random.NextBoolean() ? ValidateFault.Pass : ValidateFault.Fail,
            () => destroyMayThrow && random.NextBoolean(),
            random);

    /// <summary>The given creates first, then every create drawn by Coyote from <paramref name="then"/>.</summary>
    public static FactoryScript Then(Generator random, CreateFault[] first, CreateFault[] then) =>
        new(first, () => then[random.NextInteger(then.Length)], () => ValidateFault.Pass, () => false, random);

    /// <summary>Destroys throw (after closing the connection: the pool must count it and free the slot).</summary>
    public FactoryScript WithThrowingDestroys() => new(_creates, _thenCreate, _validate, () => true, _random);

    /// <summary>Each validation drawn by Coyote from <paramref name="validations"/>.</summary>
    public FactoryScript WithValidations(Generator random, params ValidateFault[] validations) =>
        new(_creates, _thenCreate, () => validations[random.NextInteger(validations.Length)], _destroyThrows, random);

    public CreateFault NextCreate() => _creates.Count > 0 ? _creates.Dequeue() : _thenCreate();

    public ValidateFault NextValidation() => _validate();

    public bool NextDestroyThrows() => _destroyThrows();

    /// <summary>How many times a slow create yields: one to three, chosen by Coyote when it can.</summary>
    public int NextSlowness() => _random is null ? 2 : 1 + _random.NextInteger(3);
}

/// <summary>A failure the script asked for; never a bug by itself.</summary>
internal sealed class ScriptedFaultException : Exception
{
    public ScriptedFaultException()
        : base("Scripted factory fault.")
    {
    }

    public ScriptedFaultException(string message)
        : base(message)
    {
    }

    public ScriptedFaultException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
