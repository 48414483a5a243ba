using Pool.Tests.Systematic.Harness;

namespace Pool.Tests.Systematic.Canaries;

/// <summary>The canary's check on borrow: every idle borrow is validated when the spec asks for validation at all; the acquirer waits for the answer unless the canary's bug lets it leave.</summary>
internal sealed partial class CanaryPool
{
    private const int Cancelled = -1;

    private async Task<ILeaseHandle> BorrowAsync(TestConnection connection, CancellationToken cancellationToken)
    {
        if (spec.ValidateAfterIdle == Timeout.InfiniteTimeSpan)
        {
            return new Handle(this, connection);
        }

        // One source for "the check answered" and "the acquirer was cancelled", awaited directly
        // (Task.WhenAny over such sources escapes Coyote's control).
        var outcome = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = CheckAsync(connection, outcome);
        var registration = default(CancellationTokenRegistration);
        if (bug == CanaryBug.UncheckedReturnOnCancelledCheck)
        {
            registration = cancellationToken.Register(static s => ((TaskCompletionSource<int>)s!).TrySetResult(Cancelled), outcome);
        }

        int answer = await outcome.Task;
        registration.Unregister();
        if (answer == Cancelled)
        {
            // The bug: back to idle with the check still running on it.
            Return(connection, invalidated: false);
            throw new OperationCanceledException(cancellationToken);
        }

        // The canary has no ValidationTimeout and trusts every answer: it only models who holds a
        // connection under check (its scenarios script passing checks, quick or slow).
        return new Handle(this, connection);
    }

    private async Task CheckAsync(TestConnection connection, TaskCompletionSource<int> outcome)
    {
        bool valid;
        try
        {
            valid = await factory.ValidateAsync(connection, CancellationToken.None);
        }
        catch (ScriptedFaultException)
        {
            valid = false;
        }

        outcome.TrySetResult(valid ? 1 : 0);
    }
}
