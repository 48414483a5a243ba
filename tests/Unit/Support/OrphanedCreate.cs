namespace Pool.Tests.Unit.Support;

/// <summary>A create left running by the acquire that caused it: the step the abandoned-create tests start from.</summary>
internal static class OrphanedCreate
{
    /// <summary>
    /// Starts an acquire on <paramref name="pool"/> that has to create (the gated <paramref name="factory"/>
    /// parks the call), cancels it while the create is pending, and checks it ends cancelled. The create is
    /// still pending, the pool's own now. Returns the acquirer's token, which the create must not carry.
    /// </summary>
    public static async Task<CancellationToken> LeaveAsync(ConnectionPool<TestConnection> pool, FakeFactory factory)
    {
        using var cts = new CancellationTokenSource();
        var acquire = pool.AcquireAsync(cts.Token).AsTask();
        await factory.WaitForPendingAsync(1);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => acquire);
        return cts.Token;
    }
}
