namespace Pool.Tests.Properties.State;

public sealed class PoolStatePropertyTests
{
    /// <summary>
    /// Random operation sequences (acquire, try-acquire, return, invalidate, create success, failure
    /// and timeout, destroy finished or past DestroyTimeout, cancel, timeout, clear, resize,
    /// maintenance, time, dispose) driven directly on the state machine: after every step the
    /// invariants hold, Total ≤ Ceiling, live connections are conserved, waiters are granted oldest
    /// first, the in-flight counts match, create calls in flight (abandoned ones still running
    /// included) stay within MaxConcurrentCreates, and Total + Abandoned within Ceiling + MaxConcurrentCreates.
    /// </summary>
    /// <param name="config">MaxSize, MaxConcurrentCreates and FailFastAfter, packed.</param>
    /// <param name="script">The operations, one per number (kind and argument packed).</param>
    [Property(MaxTest = 2000)]
    public Property AnyOperationSequence_KeepsTheInvariantsAndTheModelFacts(byte config, int[] script)
    {
        string? failure = new StateDriver(config).Run(script);
        return (failure is null).Label(failure ?? "ok");
    }
}
