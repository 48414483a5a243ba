using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Grpc.Core;
using Pool.Qdrant.Internal;
using Qdrant.Client;

namespace Pool.Qdrant;

/// <summary>
/// Makes the clients of a <see cref="QdrantClientPool"/>: each <see cref="QdrantClient"/> runs over
/// its own gRPC channel and so its own HTTP/2 connection, with keep-alive pings, a connect timeout,
/// a short reconnect backoff, the <c>api-key</c> header and optional certificate pinning.
/// </summary>
public sealed class QdrantConnectionFactory : IConnectionFactory<QdrantClient>
{
    private readonly QdrantPoolOptions _options;

    // Every client created and not yet destroyed, with the channel it owns.
    private readonly ConcurrentDictionary<QdrantClient, PooledQdrantConnection> _live = new(ReferenceEqualityComparer.Instance);
    private long _created;
    private long _destroyed;

    /// <summary>Creates a factory.</summary>
    /// <param name="options">Settings; validated here (one exception lists every problem) and copied.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public QdrantConnectionFactory(QdrantPoolOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.ValidatedCopy(nameof(options));
    }

    /// <summary>Clients created and not yet destroyed: the connections this factory holds open.</summary>
    public int LiveClients => _live.Count;

    /// <summary>Clients created (each proven by a health probe) since the factory was made.</summary>
    public long Created => Interlocked.Read(ref _created);

    /// <summary>Clients destroyed since the factory was made.</summary>
    public long Destroyed => Interlocked.Read(ref _destroyed);

    /// <summary>
    /// Opens a channel and proves it with a health probe whose deadline is
    /// <see cref="QdrantPoolOptions.ConnectTimeout"/> + <see cref="QdrantPoolOptions.HealthCheckTimeout"/>.
    /// The channel is disposed if the probe fails.
    /// </summary>
    /// <param name="cancellationToken">The pool's token (cancelled when the pool is disposed).</param>
    /// <returns>A client whose server answered.</returns>
    /// <exception cref="RpcException">Qdrant did not answer the probe (down, wrong port, TLS pin mismatch, deadline).</exception>
    public async ValueTask<QdrantClient> CreateAsync(CancellationToken cancellationToken)
    {
        var connection = PooledQdrantConnection.Open(_options);
        try
        {
            await connection.ProbeAsync(_options.ConnectTimeout + _options.HealthCheckTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            connection.Dispose();
            throw;
        }

        _live[connection.Client] = connection;
        Interlocked.Increment(ref _created);
        return connection.Client;
    }

    /// <summary>Probes an idle client under <see cref="QdrantPoolOptions.HealthCheckTimeout"/> and the pool's token.</summary>
    /// <param name="connection">A client this factory created.</param>
    /// <param name="cancellationToken">Cancelled when the pool's validation deadline passes.</param>
    /// <returns><see langword="false"/> if the probe failed with an <see cref="RpcException"/>.</returns>
    public async ValueTask<bool> ValidateAsync(QdrantClient connection, CancellationToken cancellationToken)
    {
        if (!_live.TryGetValue(connection, out var pooled))
        {
            return false; // Not ours, or destroyed already: never hand it out.
        }

        try
        {
            await pooled.ProbeAsync(_options.HealthCheckTimeout, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RpcException)
        {
            return false;
        }
    }

    /// <summary>The channel and invoker behind a client this factory created and has not destroyed.</summary>
    internal bool TryGetConnection(QdrantClient client, [NotNullWhen(true)] out PooledQdrantConnection? connection) =>
        _live.TryGetValue(client, out connection);

    /// <summary>Disposes the client and its channel, which closes its HTTP/2 connection.</summary>
    /// <param name="connection">A client this factory created.</param>
    /// <returns>A completed task.</returns>
    public ValueTask DestroyAsync(QdrantClient connection)
    {
        if (_live.TryRemove(connection, out var pooled))
        {
            pooled.Dispose();
            Interlocked.Increment(ref _destroyed);
        }

        return default;
    }
}
