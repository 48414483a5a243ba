namespace Pool.Tests.Kit;

/// <summary>
/// A factory call that hangs until the pool cancels it, safely under Coyote: the scripted
/// <see cref="FakeFactory"/> and the Coyote harness's factory both hang this way.
/// </summary>
public static class CallHangs
{
    /// <summary>Answers when <paramref name="cancellationToken"/> is cancelled, by throwing <see cref="OperationCanceledException"/>.</summary>
    public static async Task UntilCancelledAsync(CancellationToken cancellationToken)
    {
        // Task.Delay ignores a later cancellation under Coyote: wait on a TaskCompletionSource instead.
        // Unregister, never Dispose, the registration: Dispose blocks (uncontrolled) while the callback
        // runs, and Coyote may resume this continuation while Cancel is still inside the callback.
        var hang = new Hang();
        var registration = cancellationToken.Register(static s => ((Hang)s!).Wake(), hang);
        try
        {
            await hang.Woken.Task;

            // Completing the TaskCompletionSource is a scheduling point inside the callback, so Coyote may
            // run this continuation while Cancel() is still inside it. The pool then disposes its linked
            // CancellationTokenSource, and that Dispose blocks (uncontrolled) until the callback returns,
            // which Coyote reports as a hang although a real thread would just finish the callback. So
            // leave only after the callback has returned: a harness limit, not pool behaviour.
            while (!hang.CallbackReturned)
            {
                await Task.Yield();
            }
        }
        finally
        {
            registration.Unregister();
        }

        throw new OperationCanceledException("Scripted hanging call: cancelled by the pool.", cancellationToken);
    }

    private sealed class Hang
    {
        public TaskCompletionSource Woken { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool CallbackReturned { get; private set; }

        public void Wake()
        {
            Woken.TrySetResult();
            CallbackReturned = true;
        }
    }
}
