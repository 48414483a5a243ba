using Grpc.Core;

namespace Pool.Qdrant.Internal;

/// <summary>The request stream of a streaming call on a pooled channel: writes wait for the call's start.</summary>
internal sealed class LeasedRequestStream<TRequest, TResponse>(LeasedCall<TRequest, TResponse> call) : IClientStreamWriter<TRequest>
    where TRequest : class
    where TResponse : class
{
    public WriteOptions? WriteOptions { get; set; }

    public Task WriteAsync(TRequest message) => call.WriteAsync(message, WriteOptions, CancellationToken.None);

    public Task WriteAsync(TRequest message, CancellationToken cancellationToken) => call.WriteAsync(message, WriteOptions, cancellationToken);

    public Task CompleteAsync() => call.CompleteAsync();
}
