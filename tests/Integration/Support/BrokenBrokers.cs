using Pool.Demo.Load;

namespace Pool.Tests.Integration.Support;

/// <summary>Hands out leases from the pool but never returns the <c>leakAt</c>-th one: a caller that forgot a lease.</summary>
internal sealed class LeakingBroker(ConnectionPool<QdrantClient> pool, int leakAt) : ILeaseBroker
{
    private int _returns;

    /// <summary>The lease kept back, once it has been.</summary>
    public PooledConnection<QdrantClient>? Leaked { get; private set; }

    public ValueTask<PooledConnection<QdrantClient>> AcquireAsync(TimeSpan? timeout, CancellationToken cancellationToken) =>
        timeout is { } t ? pool.AcquireAsync(t, cancellationToken) : pool.AcquireAsync(cancellationToken);

    public ValueTask ReturnAsync(PooledConnection<QdrantClient> lease)
    {
        if (Interlocked.Increment(ref _returns) == leakAt)
        {
            Leaked = lease;
            return default;
        }

        return lease.DisposeAsync();
    }
}

/// <summary>
/// Hands the first lease to the first two acquirers: a pool that leases one connection twice. The
/// first holder's return waits until the second has given its copy back, so nobody else can get the
/// client meanwhile and the double lease is exactly one.
/// </summary>
internal sealed class DoubleHandingBroker(ConnectionPool<QdrantClient> pool) : ILeaseBroker
{
    private readonly TaskCompletionSource<PooledConnection<QdrantClient>> _shared = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _secondReturned = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _acquires;
    private int _firstReturnSeen;

    public async ValueTask<PooledConnection<QdrantClient>> AcquireAsync(TimeSpan? timeout, CancellationToken cancellationToken)
    {
        switch (Interlocked.Increment(ref _acquires))
        {
            case 1:
                var lease = await pool.AcquireAsync(cancellationToken);
                _shared.SetResult(lease);
                return lease;
            case 2:
                return await _shared.Task; // the same client, not taken from the pool
            default:
                return timeout is { } t ? await pool.AcquireAsync(t, cancellationToken) : await pool.AcquireAsync(cancellationToken);
        }
    }

    public async ValueTask ReturnAsync(PooledConnection<QdrantClient> lease)
    {
        if (!_shared.Task.IsCompleted || lease != _shared.Task.Result)
        {
            await lease.DisposeAsync();
            return;
        }

        if (Interlocked.Exchange(ref _firstReturnSeen, 1) == 0)
        {
            await _secondReturned.Task; // the first holder to give it back waits for the other
            await lease.DisposeAsync();
        }
        else
        {
            _secondReturned.SetResult();
        }
    }
}
