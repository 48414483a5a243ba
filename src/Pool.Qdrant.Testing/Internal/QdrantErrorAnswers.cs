using Grpc.Core;

namespace Pool.Qdrant.Testing.Internal;

/// <summary>
/// The error answers a healthy Qdrant gives over a working connection, with messages worded like
/// Qdrant's, so a client under test sees what production would show.
/// </summary>
internal static class QdrantErrorAnswers
{
    /// <summary>A trailer on every server error of the stand-in: proof for tests that the server, not the client, produced the status.</summary>
    public const string ServerTrailer = "x-qdrant-stand-in-error";

    public static void Check(StatusCode status, string paramName)
    {
        if (status is not (StatusCode.Unavailable or StatusCode.Internal or StatusCode.DeadlineExceeded or StatusCode.Unknown))
        {
            throw new ArgumentOutOfRangeException(
                paramName, status, "A Qdrant server error is Unavailable, Internal, DeadlineExceeded or Unknown; the stand-in has other switches for the rest.");
        }
    }

    /// <summary>The answer, with a trailer saying the stand-in sent it (the server's own trailers, as Qdrant sends its status).</summary>
    public static RpcException For(StatusCode status, string method)
    {
        string detail = status switch
        {
            StatusCode.Unavailable => $"Service unavailable: no active replica of shard 0 to serve {method} (stand-in answer)",
            StatusCode.Internal => "Service internal error: out of memory (stand-in answer)",
            StatusCode.DeadlineExceeded => $"Timeout error: {method} did not finish in time on the storage side (stand-in answer)",
            _ => "Unknown error: the operation failed unexpectedly (stand-in answer)",
        };

        return new RpcException(new Status(status, detail), new Metadata { { ServerTrailer, "1" } });
    }
}
