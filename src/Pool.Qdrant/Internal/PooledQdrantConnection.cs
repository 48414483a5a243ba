using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Qdrant.Client;
using Qdrant.Client.Grpc;

namespace Pool.Qdrant.Internal;

/// <summary>What one pooled <see cref="QdrantClient"/> is made of; the factory owns and disposes all of it.</summary>
internal sealed class PooledQdrantConnection : IDisposable
{
    // 1 while a probe decides whether a deadline on this channel meant a dead connection; set and
    // cleared by Interlocked, so one deadline storm on a black hole sends one probe, not one per call.
    private int _probing;

    // Set once a call or a probe found the connection broken (its lease invalidated it): later
    // deadlines on it need no probe of their own, which would only hold it open longer.
    private volatile bool _broken;

    private PooledQdrantConnection(GrpcChannel channel, CallInvoker invoker, QdrantGrpcClient grpc, QdrantClient client)
    {
        Channel = channel;
        Invoker = invoker;
        Grpc = grpc;
        Client = client;
    }

    public GrpcChannel Channel { get; }

    /// <summary>The channel's invoker with the per-call headers: what the pooled drop-in client's calls run on.</summary>
    public CallInvoker Invoker { get; }

    /// <summary>The low-level client, for probes that set their own deadline.</summary>
    public QdrantGrpcClient Grpc { get; }

    /// <summary>The high-level client handed to callers.</summary>
    public QdrantClient Client { get; }

    public static PooledQdrantConnection Open(QdrantPoolOptions options)
    {
        var channel = ChannelBuilder.Build(options);
        CallInvoker invoker = channel.CreateCallInvoker();
        var perCall = CallHeaders(options);
        if (perCall.Count > 0)
        {
            invoker = invoker.Intercept(headers =>
            {
                foreach (var (name, value) in perCall)
                {
                    headers.Add(name, value);
                }

                return headers;
            });
        }

        // Built over a CallInvoker, QdrantGrpcClient does not own the channel: Dispose below does.
        var grpc = new QdrantGrpcClient(invoker);
        var client = new QdrantClient(grpc, options.GrpcTimeout, options.LoggerFactory);
        return new PooledQdrantConnection(channel, invoker, grpc, client);
    }

    /// <summary>The headers every call carries: the api key, the app's own, and the request compression.</summary>
    private static List<KeyValuePair<string, string>> CallHeaders(QdrantPoolOptions options)
    {
        var headers = new List<KeyValuePair<string, string>>(options.Headers);
        if (options.ApiKey is { } apiKey)
        {
            headers.Add(new("api-key", apiKey));
        }

        if (options.RequestCompression is { } encoding)
        {
            // grpc-dotnet's per-call switch: it compresses the request with that provider and sends grpc-encoding.
            headers.Add(new("grpc-internal-encoding-request", encoding));
        }

        return headers;
    }

    /// <summary>Asks Qdrant for its health under a deadline of its own, so a black-holed connection cannot hang.</summary>
    public async Task<HealthCheckReply> ProbeAsync(TimeSpan deadline, CancellationToken cancellationToken) =>
        await Grpc.Qdrant.HealthCheckAsync(
            new HealthCheckRequest(),
            deadline: DateTime.UtcNow + deadline,
            cancellationToken: cancellationToken).ConfigureAwait(false);

    /// <summary>Claims the one probe this channel may run at a time.</summary>
    /// <returns>False when another probe already runs: it will decide for this call too.</returns>
    public bool TryStartProbe() => Interlocked.CompareExchange(ref _probing, 1, 0) == 0;

    /// <summary>Lets the next deadline start a probe again.</summary>
    public void EndProbe() => Volatile.Write(ref _probing, 0);

    /// <summary>Whether a call or a probe has found this connection broken; the pool destroys it once its last call ends.</summary>
    public bool IsBroken => _broken;

    public void MarkBroken() => _broken = true;

    public void Dispose()
    {
        Client.Dispose();
        Grpc.Dispose();
        Channel.Dispose();
    }
}
