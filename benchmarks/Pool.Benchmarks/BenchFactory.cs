namespace Pool.Benchmarks;

/// <summary>
/// Makes connections for every pool under test, ours and the peers alike, and counts the creates it
/// was asked for (counted when a create starts: that is the connect the backend sees, even if the
/// pool later discards it). A create can take a fixed time, like a real connect.
/// </summary>
internal sealed class BenchFactory(TimeSpan createDelay) : IConnectionFactory<BenchConnection>
{
    private int _created;

    /// <summary>Creates started so far.</summary>
    public int Created => Volatile.Read(ref _created);

    /// <summary>A create that does not wait: what <c>DefaultObjectPool</c>'s synchronous policy calls.</summary>
    public BenchConnection CreateNow() => new(Interlocked.Increment(ref _created));

    public ValueTask<BenchConnection> CreateAsync(CancellationToken cancellationToken) =>
        createDelay <= TimeSpan.Zero ? new ValueTask<BenchConnection>(CreateNow()) : CreateSlowlyAsync(cancellationToken);

    public ValueTask<bool> ValidateAsync(BenchConnection connection, CancellationToken cancellationToken) => new(true);

    public ValueTask DestroyAsync(BenchConnection connection) => default;

    private async ValueTask<BenchConnection> CreateSlowlyAsync(CancellationToken cancellationToken)
    {
        var connection = CreateNow();
        await Task.Delay(createDelay, cancellationToken).ConfigureAwait(false);
        return connection;
    }
}
