using System.Net.Http;
using System.Net.Security;
using Grpc.Net.Client;

namespace Pool.Qdrant.Internal;

/// <summary>Builds the one <see cref="GrpcChannel"/> (and so the one HTTP/2 connection) of a pooled client.</summary>
internal static class ChannelBuilder
{
    // A reconnect starts quickly; MaxReconnectBackoff caps how long it can grow.
    private static readonly TimeSpan InitialReconnectBackoff = TimeSpan.FromMilliseconds(100);

    public static GrpcChannel Build(QdrantPoolOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            // One client, one connection: the pool's MaxSize is then a bound on connections to Qdrant.
            EnableMultipleHttp2Connections = false,
            ConnectTimeout = options.ConnectTimeout,

            // The pool decides when a connection is idle too long; the handler must not close it
            // behind the pool's back (that would make a pooled client reconnect on its next call).
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,

            // Pings find a dead connection while the client sits idle in the pool.
            KeepAlivePingDelay = options.KeepAlivePingDelay,
            KeepAlivePingTimeout = options.KeepAlivePingTimeout,
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
        };

        if (options.CertificateThumbprint is { } pinned)
        {
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = Thumbprint.Pin(Thumbprint.Normalize(pinned)!),
            };
        }

        // Last, so the app's proxy, client certificate or CA wins over anything set above.
        try
        {
            options.ConfigureHandler?.Invoke(handler);
        }
        catch
        {
            handler.Dispose();
            throw;
        }

        return GrpcChannel.ForAddress(options.Address, new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            LoggerFactory = options.LoggerFactory,
            MaxSendMessageSize = options.MaxSendMessageSize,
            MaxReceiveMessageSize = options.MaxReceiveMessageSize,
            InitialReconnectBackoff = InitialReconnectBackoff,
            MaxReconnectBackoff = options.MaxReconnectBackoff,

            // Retries are the caller's policy; a hidden retry would also hide the failures that
            // tell the pool a connection is broken.
            MaxRetryAttempts = 0,
        });
    }
}
