using System.Collections.Concurrent;

namespace Pool.Benchmarks.Peers;

/// <summary>
/// The pool most .NET code writes by hand, written the careful way: a <see cref="SemaphoreSlim"/>
/// bounds the leases at MaxSize, a <see cref="ConcurrentBag{T}"/> holds the idle connections, and an
/// acquirer that passes the semaphore and finds the bag empty creates a connection itself. The slot is
/// given back when that create fails, and the caller's token cancels the wait and the create.
/// </summary>
/// <remarks>
/// What it leaves out, by design of the pattern: every acquirer that gets a slot while the bag is
/// empty dials its own connection (a spike of N acquirers opens N connections), and a create
/// belongs to its acquirer (cancelling the acquire throws the connect away).
/// </remarks>
internal sealed class SemaphoreBagPool<T> : IDisposable
    where T : class
{
    private readonly Func<CancellationToken, ValueTask<T>> _create;
    private readonly SemaphoreSlim _slots;
    private readonly ConcurrentBag<T> _idle = [];

    public SemaphoreBagPool(Func<CancellationToken, ValueTask<T>> create, int maxSize)
    {
        _create = create;
        _slots = new SemaphoreSlim(maxSize, maxSize);
    }

    public async ValueTask<T> AcquireAsync(CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (_idle.TryTake(out var connection))
        {
            return connection;
        }

        try
        {
            return await _create(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _slots.Release();
            throw;
        }
    }

    public void Return(T connection)
    {
        _idle.Add(connection);
        _slots.Release();
    }

    public void Dispose() => _slots.Dispose();
}
