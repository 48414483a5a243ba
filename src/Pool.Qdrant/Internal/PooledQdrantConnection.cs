using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Qdrant.Client;
using Qdrant.Client.Grpc;

namespace Pool.Qdrant.Internal;

/// <summary>What one pooled <see cref="QdrantClient"/> is made of; the factory owns and disposes all of it.</summary>
internal sealed class PooledQdrantConnection : IDisposable
{
    private PooledQdrantConnection(GrpcChannel channel, QdrantGrpcClient grpc, QdrantClient client)
    {
        Channel = channel;
        Grpc = grpc;
        Client = client;
    }

    public GrpcChannel Channel { get; }

    /// <summary>The low-level client, for probes that set their own deadline.</summary>
    public QdrantGrpcClient Grpc { get; }

    /// <summary>The high-level client handed to callers.</summary>
    public QdrantClient Client { get; }

    public static PooledQdrantConnection Open(QdrantPoolOptions options)
    {
        var channel = ChannelBuilder.Build(options);
        CallInvoker invoker = channel.CreateCallInvoker();
        if (options.ApiKey is { } apiKey)
        {
            invoker = invoker.Intercept(headers =>
            {
                headers.Add("api-key", apiKey);
                return headers;
            });
        }

        // Built over a CallInvoker, QdrantGrpcClient does not own the channel: Dispose below does.
        var grpc = new QdrantGrpcClient(invoker);
        var client = new QdrantClient(grpc, options.GrpcTimeout);
        return new PooledQdrantConnection(channel, grpc, client);
    }

    /// <summary>Asks Qdrant for its health under a deadline of its own, so a black-holed connection cannot hang.</summary>
    public async Task<HealthCheckReply> ProbeAsync(TimeSpan deadline, CancellationToken cancellationToken) =>
        await Grpc.Qdrant.HealthCheckAsync(
            new HealthCheckRequest(),
            deadline: DateTime.UtcNow + deadline,
            cancellationToken: cancellationToken).ConfigureAwait(false);

    public void Dispose()
    {
        Client.Dispose();
        Grpc.Dispose();
        Channel.Dispose();
    }
}
