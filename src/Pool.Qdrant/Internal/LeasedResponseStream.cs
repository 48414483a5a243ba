using Grpc.Core;

namespace Pool.Qdrant.Internal;

/// <summary>The response stream of a streaming call on a pooled channel: reads wait for the call's start.</summary>
internal sealed class LeasedResponseStream<TRequest, TResponse>(LeasedCall<TRequest, TResponse> call) : IAsyncStreamReader<TResponse>
    where TRequest : class
    where TResponse : class
{
    public TResponse Current => call.Current;

    public Task<bool> MoveNext(CancellationToken cancellationToken) => call.MoveNextAsync(cancellationToken);
}
