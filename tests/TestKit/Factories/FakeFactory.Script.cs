using System.Diagnostics;

namespace Pool.Tests.Kit;

/// <summary>
/// The scripted calls: when a script is set, each create, validation or destroy does what its
/// <see cref="FactoryStep"/> says, instead of the switches (<see cref="FakeFactory.Gated"/>,
/// <see cref="FakeFactory.CreateError"/>, ...). The bookkeeping (counts, live connections, overlaps) is the same.
/// </summary>
public sealed partial class FakeFactory
{
    private int _neverCreates;
    private int _neverValidations;
    private int _neverDestroys;

    /// <summary>When set, decides each create from its call number (0 for the first call).</summary>
    public Func<int, FactoryStep>? CreateScript { get; set; }

    /// <summary>When set, decides each validation of a connection.</summary>
    public Func<TestConnection, FactoryStep>? ValidateScript { get; set; }

    /// <summary>When set, decides each destroy of a connection.</summary>
    public Func<TestConnection, FactoryStep>? DestroyScript { get; set; }

    /// <summary>Scripted creates that ended in <see cref="StepEnd.Never"/>: they will never answer.</summary>
    public int NeverCreates => Volatile.Read(ref _neverCreates);

    /// <summary>Scripted validations that ended in <see cref="StepEnd.Never"/> (their connections stay with that check for good).</summary>
    public int NeverValidations => Volatile.Read(ref _neverValidations);

    /// <summary>Scripted destroys that ended in <see cref="StepEnd.Never"/> (their connections stay live).</summary>
    public int NeverDestroys => Volatile.Read(ref _neverDestroys);

    private async Task<TestConnection> ScriptedCreateAsync(FactoryStep step, CancellationToken cancellationToken)
    {
        try
        {
            await BeforeEndAsync(step, parkedCreate: true);

            return await EndCreateAsync(step, cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _concurrentCreates);
        }
    }

    private async ValueTask<TestConnection> EndCreateAsync(FactoryStep step, CancellationToken cancellationToken)
    {
        switch (step.End)
        {
            case StepEnd.Succeed:
                return Open();
            case StepEnd.Throw:
                throw step.Error!;
            case StepEnd.Gate:
                return await GatedCreateAsync(cancellationToken);
            case StepEnd.HangUntilCancelled:
                Interlocked.Increment(ref _hungCreates);
                try
                {
                    await CallHangs.UntilCancelledAsync(cancellationToken);
                }
                finally
                {
                    Interlocked.Decrement(ref _hungCreates);
                }

                throw new UnreachableException();
            case StepEnd.Never:
                Interlocked.Increment(ref _neverCreates);
                return await new TaskCompletionSource<TestConnection>().Task;
            default:
                throw new ArgumentOutOfRangeException(nameof(step), step, "Not a way for a create to end.");
        }
    }

    private async Task<bool> ScriptedValidateAsync(FactoryStep step, TestConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            await BeforeEndAsync(step, parkedCreate: false);

            return await EndValidationAsync(step, cancellationToken);
        }
        finally
        {
            _validating.TryRemove(connection.Id, out _);
        }
    }

    private async ValueTask<bool> EndValidationAsync(FactoryStep step, CancellationToken cancellationToken)
    {
        switch (step.End)
        {
            case StepEnd.Succeed:
                return true;
            case StepEnd.Fail:
                return false;
            case StepEnd.Throw:
                throw step.Error!;
            case StepEnd.HangUntilCancelled:
                await CallHangs.UntilCancelledAsync(cancellationToken);
                throw new UnreachableException();
            case StepEnd.Never:
                Interlocked.Increment(ref _neverValidations);
                return await new TaskCompletionSource<bool>().Task;
            default:
                throw new ArgumentOutOfRangeException(nameof(step), step, "Not a way for a validation to end.");
        }
    }

    private async Task ScriptedDestroyAsync(FactoryStep step, TestConnection connection)
    {
        await BeforeEndAsync(step, parkedCreate: false);

        switch (step.End)
        {
            case StepEnd.Never:
                Interlocked.Increment(ref _neverDestroys);
                await new TaskCompletionSource().Task;
                break;
            case StepEnd.Succeed or StepEnd.Throw:
                // A destroy that throws has closed the connection anyway: the pool must still free its slot.
                connection.MarkDestroyed();
                _live.TryRemove(connection.Id, out _);
                if (step.End == StepEnd.Throw)
                {
                    throw step.Error!;
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(step), step, "Not a way for a destroy to end.");
        }
    }

    /// <summary>The step's wait before it ends: its yields, then its time on the clock.</summary>
    private async Task BeforeEndAsync(FactoryStep step, bool parkedCreate)
    {
        for (int i = 0; i < step.Yields; i++)
        {
            await Task.Yield();
        }

        if (step.Late > TimeSpan.Zero)
        {
            var clock = Clock ?? throw new InvalidOperationException("A step that ends late needs the factory's Clock.");
            await OnClockAsync(clock, step.Late, parkedCreate);
        }
    }
}
