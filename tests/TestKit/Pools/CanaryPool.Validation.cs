namespace Pool.Tests.Kit;

/// <summary>
/// The canary's check on borrow, which only the UncheckedReturnOnCancelledCheck bug has (the correct
/// canary validates nothing, and the model it is driven against in lockstep never asks it to).
/// </summary>
public sealed partial class CanaryPool
{
    private const int Cancelled = -1;

    private async Task<ILeaseHandle> BorrowAsync(Entry entry, CancellationToken cancellationToken)
    {
        if (_bug != CanaryBug.UncheckedReturnOnCancelledCheck || _validateAfterIdle == Timeout.InfiniteTimeSpan)
        {
            return new Handle(this, entry);
        }

        // One source for "the check answered" and "the acquirer was cancelled", awaited directly
        // (Task.WhenAny over such sources escapes Coyote's control).
        var outcome = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var check = CheckAsync(entry.Connection, outcome);
        lock (_lock)
        {
            _work.Add(check); // dispose waits for the check
        }

        var registration = cancellationToken.Register(static s => ((TaskCompletionSource<int>)s!).TrySetResult(Cancelled), outcome);
        int answer = await outcome.Task;
        registration.Unregister();
        if (answer == Cancelled)
        {
            // The bug: back to idle with the check still running on it.
            Return(entry, invalidated: false);
            throw new OperationCanceledException(cancellationToken);
        }

        // Every answer is trusted: the bug's scenario scripts passing checks only, quick or slow.
        return new Handle(this, entry);
    }

    private async Task CheckAsync(TestConnection connection, TaskCompletionSource<int> outcome)
    {
        bool valid;
        try
        {
            valid = await _factory.ValidateAsync(connection, CancellationToken.None);
        }
        catch (Exception)
        {
            valid = false; // a faulted check counts as a failed one
        }

        outcome.TrySetResult(valid ? 1 : 0);
    }
}
