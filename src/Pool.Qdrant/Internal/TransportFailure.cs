using System.Net.Http;
using System.Net.Sockets;
using Grpc.Core;

namespace Pool.Qdrant.Internal;

/// <summary>
/// Tells a broken connection from an answer. Status codes cannot: Qdrant itself answers
/// <c>Unavailable</c> (a shard has no active replica), <c>Internal</c> (out of memory or disk),
/// <c>DeadlineExceeded</c> (its storage timed out) or <c>Unknown</c> over a healthy connection, and
/// evicting on those would turn an overloaded cluster into a reconnect storm. What tells them apart
/// is where the status came from: grpc-dotnet makes one up on the client side, with the exception
/// that failed the HTTP/2 request as <see cref="Status.DebugException"/>, when the transport failed.
/// </summary>
internal static class TransportFailure
{
    /// <summary>What a failed call says about the client's connection.</summary>
    public enum Verdict
    {
        /// <summary>An answer (or the caller's own doing): the connection works; keep the client.</summary>
        Keep,

        /// <summary>The transport failed: evict the client.</summary>
        Broken,

        /// <summary>
        /// A deadline passed with no answer: a slow query on a good connection, or a black-holed one.
        /// Only a probe on the same connection can tell.
        /// </summary>
        Check,
    }

    /// <summary>Classifies what the caller's action threw.</summary>
    /// <param name="error">What the caller's action threw.</param>
    /// <param name="evictOnDeadline">See <see cref="QdrantPoolOptions.EvictOnDeadlineExceeded"/>: <see cref="Verdict.Broken"/> instead of <see cref="Verdict.Check"/>.</param>
    /// <param name="callerToken">The caller's token: a cancellation it asked for says nothing about the connection.</param>
    /// <returns>The verdict.</returns>
    public static Verdict Classify(Exception error, bool evictOnDeadline, CancellationToken callerToken)
    {
        // Anything but an RpcException came from the caller's own code (the pool never disposes a
        // leased client's channel, so an ObjectDisposedException is not ours either).
        if (error is not RpcException rpc)
        {
            return Verdict.Keep;
        }

        if (rpc.StatusCode == StatusCode.Cancelled && callerToken.IsCancellationRequested)
        {
            return Verdict.Keep;
        }

        // The HTTP/2 request failed on this side: refused or reset connection, GOAWAY, a dead socket,
        // a TLS failure, a protocol error (wrong port, an HTTP/1 endpoint).
        if (CameFromTheTransport(rpc.Status.DebugException))
        {
            return Verdict.Broken;
        }

        return rpc.StatusCode switch
        {
            // Not asked for by the caller: the channel was disposed or the stream torn down under us.
            StatusCode.Cancelled => Verdict.Broken,
            StatusCode.DeadlineExceeded => evictOnDeadline ? Verdict.Broken : Verdict.Check,

            // Unavailable, Internal, Unknown without a transport exception, and NotFound,
            // AlreadyExists, InvalidArgument, Unauthenticated, ResourceExhausted, ...: Qdrant answered.
            _ => Verdict.Keep,
        };
    }

    /// <summary>Whether the exception grpc-dotnet attached to a status, or one it wraps, is a transport failure.</summary>
    public static bool CameFromTheTransport(Exception? debugException)
    {
        for (var cause = debugException; cause is not null; cause = cause.InnerException)
        {
            if (cause is HttpRequestException or IOException or SocketException)
            {
                return true;
            }

            if (cause is AggregateException aggregate && aggregate.InnerExceptions.Any(CameFromTheTransport))
            {
                return true;
            }
        }

        return false;
    }
}
