using Grpc.Core;
using Pool.Qdrant.Internal;
using Qdrant.Client;
using Qdrant.Client.Grpc;

namespace Pool.Qdrant;

/// <summary>
/// A pool of gRPC channels to Qdrant behind one drop-in <see cref="QdrantClient"/>: <see cref="Client"/>
/// is an ordinary <see cref="QdrantClient"/> (and <see cref="IQdrantClient"/>) whose every call runs on
/// the least busy of a few pooled channels, each its own HTTP/2 connection. A broken channel is
/// replaced while the others serve; Qdrant's own answers never cost a channel its place.
/// </summary>
/// <remarks>
/// Each call takes a shared lease on one channel for as long as it lasts (a unary call until its
/// response or error, a streaming call until its stream ends or it is disposed) and returns it then,
/// also when the call is cancelled or fails. A channel is evicted only when its connection failed
/// (see the README, "Errors: a broken connection or an answer"). Evicted: a call whose status
/// grpc-dotnet made up on the client side because the HTTP/2 request failed
/// (<see cref="Status.DebugException"/> is, or wraps, an <see cref="System.Net.Http.HttpRequestException"/>,
/// <see cref="IOException"/> or <see cref="System.Net.Sockets.SocketException"/>: refused, reset, GOAWAY,
/// TLS), a <see cref="StatusCode.Cancelled"/> neither the caller's token nor its disposal asked for (the
/// channel or stream was torn down), and a <see cref="StatusCode.DeadlineExceeded"/> after which a
/// health probe on the same channel, under <see cref="QdrantPoolOptions.HealthCheckTimeout"/>, fails
/// too (or every deadline, with <see cref="QdrantPoolOptions.EvictOnDeadlineExceeded"/>). Kept: every
/// status Qdrant sent, such as Unavailable (shard unavailable), Internal (out of memory),
/// DeadlineExceeded (storage timeout, the probe answers), Unknown, NotFound, Unauthenticated or
/// ResourceExhausted. Every exception reaches the caller unchanged.
/// <see cref="RunAsync{T}"/> leases a whole client for an action of several calls; with
/// <see cref="ConnectionPoolOptions.MaxLeasesPerConnection"/> set to 1 it is an exclusive lease, and
/// <see cref="ConnectionPoolOptions.MaxSize"/> bounds the calls in flight (a bulkhead).
/// </remarks>
public sealed class QdrantClientPool : IAsyncDisposable, IDisposable
{
    private readonly bool _evictOnDeadline;
    private readonly ChannelLeases _leases;

    /// <summary>Creates a pool and its drop-in <see cref="Client"/>. It opens the channels MinSize asks for in the background, others when calls need them.</summary>
    /// <param name="options">Settings; validated here, with one exception listing every problem.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public QdrantClientPool(QdrantPoolOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Factory = new QdrantConnectionFactory(options);
        _evictOnDeadline = options.EvictOnDeadlineExceeded;
        Pool = new ConnectionPool<QdrantClient>(Factory, options.Pool);
        _leases = new ChannelLeases(Pool, Factory, options.Pool.AcquireTimeout, _evictOnDeadline);

        // Built over a CallInvoker, the client owns nothing: disposing it (a container may) does not
        // touch the pool, and the pool's disposal is what closes the channels.
        Invoker = new PooledCallInvoker(_leases);
        Client = new QdrantClient(new QdrantGrpcClient(Invoker), options.GrpcTimeout, options.LoggerFactory);
    }

    /// <summary>The call invoker under <see cref="Client"/>, for calls Qdrant.Client has no method for (streaming, in tests).</summary>
    internal CallInvoker Invoker { get; }

    /// <summary>
    /// The drop-in client: a plain <see cref="QdrantClient"/> whose calls are spread over the pool's
    /// channels, with the deadline <see cref="QdrantPoolOptions.GrpcTimeout"/>. Share it (it is
    /// thread-safe); it stays valid until the pool is disposed, after which its calls throw
    /// <see cref="ObjectDisposedException"/>. When no channel can take a call, the call fails as a
    /// <see cref="RpcException"/>: <c>Unavailable</c> when Qdrant cannot be reached, <c>DeadlineExceeded</c>
    /// when its deadline passed first, <c>ResourceExhausted</c> when every channel stayed full for the
    /// pool's AcquireTimeout, <c>Cancelled</c> when its token was cancelled.
    /// </summary>
    public QdrantClient Client { get; }

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

    /// <summary>
    /// Disposes the pool: new calls of <see cref="Client"/> throw <see cref="ObjectDisposedException"/>,
    /// idle channels are closed at once, channels with calls in flight when their last call ends.
    /// </summary>
    /// <returns>A task that completes when the pool is drained (or its DisposeTimeout passed).</returns>
    public ValueTask DisposeAsync()
    {
        _leases.MarkDisposed();
        return Pool.DisposeAsync();
    }

    /// <summary>Disposes the pool synchronously, blocking until it is drained (or its DisposeTimeout passed); prefer <see cref="DisposeAsync"/>.</summary>
    public void Dispose()
    {
        _leases.MarkDisposed();
        Pool.Dispose();
    }
}
