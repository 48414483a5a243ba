using Grpc.Core;

namespace Pool.Qdrant.Internal;

/// <summary>
/// Tells a broken connection from an answer. A transport failure evicts the client that saw it;
/// an answer from Qdrant (even an error) proves the connection works.
/// </summary>
internal static class TransportFailure
{
    /// <summary>Whether <paramref name="error"/> says the client's connection is broken.</summary>
    /// <param name="error">What the caller's action threw.</param>
    /// <param name="evictOnDeadline">See <see cref="QdrantPoolOptions.EvictOnDeadlineExceeded"/>.</param>
    /// <param name="callerToken">The caller's token: a cancellation it asked for says nothing about the connection.</param>
    public static bool IsTransportFailure(Exception error, bool evictOnDeadline, CancellationToken callerToken) => error switch
    {
        RpcException rpc => rpc.StatusCode switch
        {
            // No connection, connection reset, or a protocol error (wrong port, an HTTP/1 endpoint).
            StatusCode.Unavailable or StatusCode.Internal or StatusCode.Unknown => true,

            // Not asked for by the caller: the channel was disposed or the stream was reset under us.
            StatusCode.Cancelled => !callerToken.IsCancellationRequested,
            StatusCode.DeadlineExceeded => evictOnDeadline,

            // NotFound, AlreadyExists, InvalidArgument, Unauthenticated, PermissionDenied,
            // ResourceExhausted, FailedPrecondition...: Qdrant answered, so the connection works.
            _ => false,
        },

        // Anything else came from the caller's own code (the pool never disposes a leased
        // client's channel, so an ObjectDisposedException is not ours either).
        _ => false,
    };
}
