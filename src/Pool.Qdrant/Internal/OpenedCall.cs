using Grpc.Core;

namespace Pool.Qdrant.Internal;

/// <summary>
/// The parts of a call started on a pooled channel, whatever its kind: the four call types of
/// Grpc.Core share no base, so each kind fills in the parts it has.
/// </summary>
internal sealed record OpenedCall<TRequest, TResponse>(
    IAsyncStreamReader<TResponse>? Reader,
    IClientStreamWriter<TRequest>? Writer,
    Task<TResponse>? Response,
    Func<Task<Metadata>> Headers,
    Func<Status> Status,
    Func<Metadata> Trailers,
    Action Dispose)
{
    public static OpenedCall<TRequest, TResponse> Of(AsyncUnaryCall<TResponse> call) =>
        new(null, null, call.ResponseAsync, () => call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);

    public static OpenedCall<TRequest, TResponse> Of(AsyncServerStreamingCall<TResponse> call) =>
        new(call.ResponseStream, null, null, () => call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);

    public static OpenedCall<TRequest, TResponse> Of(AsyncClientStreamingCall<TRequest, TResponse> call) =>
        new(null, call.RequestStream, call.ResponseAsync, () => call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);

    public static OpenedCall<TRequest, TResponse> Of(AsyncDuplexStreamingCall<TRequest, TResponse> call) =>
        new(call.ResponseStream, call.RequestStream, null, () => call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);
}
