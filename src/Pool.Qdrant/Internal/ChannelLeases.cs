using Grpc.Core;
using Qdrant.Client;

namespace Pool.Qdrant.Internal;

/// <summary>
/// Takes a lease on a pooled channel for one call of the drop-in client and turns the pool's own
/// failures into the <see cref="RpcException"/>s a <see cref="QdrantClient"/> caller already handles.
/// </summary>
/// <remarks>
/// The wait for a channel is bounded by the call's deadline as well as the pool's AcquireTimeout, so a
/// call never outlives the deadline <see cref="QdrantPoolOptions.GrpcTimeout"/> gave it; the call's token
/// cancels the wait. What a failed wait becomes: the deadline passed, <c>DeadlineExceeded</c>; the token,
/// <c>Cancelled</c>; AcquireTimeout, <c>ResourceExhausted</c> (every channel is at its call limit);
/// Qdrant cannot be reached (fast-fail window, a failed connect), <c>Unavailable</c>, as a singleton
/// client reports a server it cannot reach. The pool's exception is the status's DebugException.
/// A disposed pool throws <see cref="ObjectDisposedException"/>, as a disposed channel does.
/// </remarks>
internal sealed class ChannelLeases(ConnectionPool<QdrantClient> pool, QdrantConnectionFactory factory, TimeSpan acquireTimeout, bool evictOnDeadline)
{
    // Set once by Dispose; read by every call so a call after dispose fails at once.
    private volatile bool _disposed;

    public ConnectionPool<QdrantClient> Pool { get; } = pool;

    public QdrantConnectionFactory Factory { get; } = factory;

    /// <summary>See <see cref="QdrantPoolOptions.EvictOnDeadlineExceeded"/>.</summary>
    public bool EvictOnDeadline { get; } = evictOnDeadline;

    public void MarkDisposed() => _disposed = true;

    public void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, typeof(QdrantClientPool));

    public async Task<ChannelLease> AcquireAsync(CallOptions options)
    {
        ThrowIfDisposed();
        var token = options.CancellationToken;
        var wait = acquireTimeout;
        bool deadlineBounds = false;
        if (options.Deadline is { } deadline && deadline != DateTime.MaxValue)
        {
            var left = deadline.ToUniversalTime() - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new RpcException(new Status(StatusCode.DeadlineExceeded, "The call's deadline passed before a channel was free."));
            }

            if (wait == Timeout.InfiniteTimeSpan || left < wait)
            {
                wait = left;
                deadlineBounds = true;
            }
        }

        PooledConnection<QdrantClient> lease;
        try
        {
            lease = await Pool.AcquireAsync(wait, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException error) when (token.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.Cancelled, "The call was cancelled while it waited for a channel.", error));
        }
        catch (PoolExhaustedException error)
        {
            throw deadlineBounds
                ? new RpcException(new Status(StatusCode.DeadlineExceeded, "The call's deadline passed while it waited for a channel: " + error.Message, error))
                : new RpcException(new Status(StatusCode.ResourceExhausted, "No channel had room for the call within the pool's AcquireTimeout: " + error.Message, error));
        }
        catch (Exception error) when (error is PoolUnavailableException or ConnectionCreateException)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "Qdrant cannot be reached: " + error.Message, error));
        }

        if (!Factory.TryGetConnection(lease.Connection, out var connection))
        {
            // Every connection the pool hands out was made by the factory and is destroyed only after
            // its last lease returned; reaching this is a bug, and the lease must not leak for it.
            lease.Invalidate();
            await lease.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException("The pool handed out a Qdrant client its factory does not know.");
        }

        return new ChannelLease(this, lease, connection);
    }
}
