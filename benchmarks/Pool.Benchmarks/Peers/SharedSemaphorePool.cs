namespace Pool.Benchmarks.Peers;

/// <summary>
/// What .NET code hand-rolls to share a few multiplexed connections: a <see cref="SemaphoreSlim"/>
/// bounds the calls in flight at connections × calls per connection, and each call takes the next
/// connection round-robin. Nothing counts how busy a connection is, heals a broken one or bounds a
/// single connection's calls: the bound is over the whole set.
/// </summary>
internal sealed class SharedSemaphorePool<T> : IDisposable
    where T : class
{
    private readonly T[] _connections;
    private readonly SemaphoreSlim _calls;
    private int _next = -1;

    public SharedSemaphorePool(T[] connections, int callsPerConnection)
    {
        _connections = connections;
        int bound = connections.Length * callsPerConnection;
        _calls = new SemaphoreSlim(bound, bound);
    }

    public ValueTask<T> AcquireAsync(CancellationToken cancellationToken)
    {
        // The completed wait (the common case: the bound is rarely reached) allocates nothing.
        var wait = _calls.WaitAsync(cancellationToken);
        return wait.IsCompletedSuccessfully ? new ValueTask<T>(Next()) : WaitThenTakeAsync(wait);
    }

    public void Return(T connection) => _calls.Release();

    public void Dispose() => _calls.Dispose();

    private T Next() => _connections[(int)((uint)Interlocked.Increment(ref _next) % (uint)_connections.Length)];

    private async ValueTask<T> WaitThenTakeAsync(Task wait)
    {
        await wait.ConfigureAwait(false);
        return Next();
    }
}
