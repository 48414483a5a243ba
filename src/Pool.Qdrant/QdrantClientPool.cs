using Grpc.Core;
using Pool.Qdrant.Internal;
using Qdrant.Client;

namespace Pool.Qdrant;

/// <summary>
/// A bounded pool of <see cref="QdrantClient"/>s, each on its own HTTP/2 connection. It bounds the
/// connections and the concurrent calls to Qdrant by <see cref="ConnectionPoolOptions.MaxSize"/>,
/// spreads load over those connections, and evicts a client whose connection broke.
/// </summary>
/// <remarks>
/// A client is evicted only when its connection failed, never for Qdrant's own answers (see the README,
/// "Errors: a broken connection or an answer"). Evicted: a call whose status grpc-dotnet made up on the
/// client side because the HTTP/2 request failed (<see cref="Status.DebugException"/> is, or wraps, an
/// <see cref="System.Net.Http.HttpRequestException"/>, <see cref="IOException"/> or
/// <see cref="System.Net.Sockets.SocketException"/>: refused, reset, GOAWAY, TLS), a
/// <see cref="StatusCode.Cancelled"/> the caller's token did not ask for (the channel or stream was torn
/// down), and a <see cref="StatusCode.DeadlineExceeded"/> after which a health probe on the same client,
/// under <see cref="QdrantPoolOptions.HealthCheckTimeout"/>, fails too (or every deadline, with
/// <see cref="QdrantPoolOptions.EvictOnDeadlineExceeded"/>). Kept: every status Qdrant sent, such as
/// Unavailable (shard unavailable), Internal (out of memory), DeadlineExceeded (storage timeout, the probe
/// answers), Unknown, NotFound, Unauthenticated or ResourceExhausted. Every exception reaches the caller
/// unchanged.
/// </remarks>
public sealed class QdrantClientPool : IAsyncDisposable, IDisposable
{
    private readonly bool _evictOnDeadline;

    /// <summary>Creates a pool. It opens no connection until a call needs one (or MinSize asks for it).</summary>
    /// <param name="options">Settings; validated here, with one exception listing every problem.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public QdrantClientPool(QdrantPoolOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Factory = new QdrantConnectionFactory(options);
        _evictOnDeadline = options.EvictOnDeadlineExceeded;
        Pool = new ConnectionPool<QdrantClient>(Factory, options.Pool);
    }

    /// <summary>The underlying pool, for leases held across several calls and for its statistics.</summary>
    public ConnectionPool<QdrantClient> Pool { get; }

    /// <summary>The factory, whose counts say how many clients (and connections) really exist.</summary>
    public QdrantConnectionFactory Factory { get; }

    /// <summary>A consistent snapshot of the pool's counts and counters.</summary>
    /// <returns>The snapshot.</returns>
    public PoolStatistics GetStatistics() => Pool.GetStatistics();

    /// <summary>
    /// Leases a client, runs <paramref name="action"/> with it and returns it; evicts it if the action
    /// failed because its connection did (see the remarks of <see cref="QdrantClientPool"/>). After a
    /// <see cref="StatusCode.DeadlineExceeded"/> the error reaches the caller once the probe that decides
    /// has answered (at most <see cref="QdrantPoolOptions.HealthCheckTimeout"/> later).
    /// The action must not keep the client or leave calls running after it completes.
    /// </summary>
    /// <typeparam name="T">The action's result.</typeparam>
    /// <param name="action">Uses the client; receives <paramref name="cancellationToken"/>.</param>
    /// <param name="cancellationToken">Cancels the wait for a client and is passed to the action.</param>
    /// <returns>The action's result.</returns>
    /// <exception cref="PoolExhaustedException">No client came within the pool's AcquireTimeout.</exception>
    /// <exception cref="ConnectionCreateException">The client this call waited for could not be created (Qdrant down, TLS pin mismatch).</exception>
    /// <exception cref="RpcException">The call failed; transport failures have evicted the client.</exception>
    public async Task<T> RunAsync<T>(Func<QdrantClient, CancellationToken, Task<T>> action, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(action);
        var lease = await Pool.AcquireAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await action(lease.Connection, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error)
        {
            var verdict = TransportFailure.Classify(error, _evictOnDeadline, cancellationToken);
            if (verdict == TransportFailure.Verdict.Broken
                || (verdict == TransportFailure.Verdict.Check && !await AnswersProbeAsync(lease.Connection).ConfigureAwait(false)))
            {
                lease.Invalidate();
            }

            throw;
        }
        finally
        {
            await lease.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// After a deadline: whether the client's connection still answers a health probe. The probe has
    /// its own deadline (HealthCheckTimeout), not the caller's token, so a caller that gave up does not
    /// cost a good connection its place; and whatever the probe throws, the caller gets its own error.
    /// </summary>
    private async Task<bool> AnswersProbeAsync(QdrantClient client)
    {
        try
        {
            return await Factory.ValidateAsync(client, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception probeError) when (probeError is not OutOfMemoryException)
        {
            return false;
        }
    }

    /// <summary>Like <see cref="RunAsync{T}"/>, for an action without a result.</summary>
    /// <param name="action">Uses the client; receives <paramref name="cancellationToken"/>.</param>
    /// <param name="cancellationToken">Cancels the wait for a client and is passed to the action.</param>
    /// <returns>A task that completes when the action has and the client is back.</returns>
    public Task RunAsync(Func<QdrantClient, CancellationToken, Task> action, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(action);
        return RunAsync<bool>(
            async (client, token) =>
            {
                await action(client, token).ConfigureAwait(false);
                return true;
            },
            cancellationToken);
    }

    /// <summary>Disposes the pool: idle clients and their connections are closed, leased ones when returned.</summary>
    /// <returns>A task that completes when the pool is drained (or its DisposeTimeout passed).</returns>
    public ValueTask DisposeAsync() => Pool.DisposeAsync();

    /// <summary>Disposes the pool synchronously, blocking until it is drained (or its DisposeTimeout passed); prefer <see cref="DisposeAsync"/>.</summary>
    public void Dispose() => Pool.Dispose();
}
