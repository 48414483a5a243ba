namespace Pool.Tests.Unit.Support;

/// <summary>One acquire and return that must both complete synchronously (an idle connection or room is there).</summary>
internal static class SynchronousCycle
{
    /// <summary>
    /// Acquires and returns without an async method of its own: a Debug build compiles async state
    /// machines as classes, which would count the test's allocation, not the pool's.
    /// </summary>
    public static void Run(ConnectionPool<TestConnection> pool)
    {
#pragma warning disable CA2012 // the ValueTask is consumed exactly once, synchronously
        var pending = pool.AcquireAsync();
        Assert.True(pending.IsCompletedSuccessfully);
        var lease = pending.Result;
        var returning = lease.DisposeAsync();
        Assert.True(returning.IsCompletedSuccessfully);
#pragma warning restore CA2012
    }
}
