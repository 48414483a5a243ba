using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Qdrant.Client.Grpc;

namespace Pool.Tests.Integration;

/// <summary>The settings Qdrant.Client users expect (headers, logging, message sizes, compression, the handler hook), seen from the server.</summary>
public sealed class ClientSettingsTests : IAsyncLifetime
{
    private const string List = "qdrant.Collections/List";
    private const string Secret = "Bearer very-secret-token";
    private QdrantStandIn _standIn = null!;

    public async Task InitializeAsync() => _standIn = await QdrantStandIn.StartAsync();

    public async Task DisposeAsync() => await _standIn.DisposeAsync();

    [Fact]
    public async Task Custom_headers_and_the_api_key_go_with_every_call_the_probe_included()
    {
        await using var pool = Pools.For(_standIn, configure: o =>
        {
            o.ApiKey = "k3y";
            o.Headers["X-Tenant"] = "blue";
            o.Headers["authorization"] = Secret;
        });
        await pool.RunAsync((c, ct) => c.ListCollectionsAsync(ct));

        foreach (var method in new[] { List, "qdrant.Qdrant/HealthCheck" })
        {
            var headers = _standIn.LastRequestHeaders(method);
            Assert.Equal("blue", headers["x-tenant"]);
            Assert.Equal(Secret, headers["authorization"]);
            Assert.Equal("k3y", headers["api-key"]);
        }
    }

    [Fact]
    public void Header_values_are_never_printed_and_bad_headers_are_named_with_the_rule()
    {
        var options = new QdrantPoolOptions();
        options.Headers["authorization"] = Secret;
        Assert.Contains("Headers = [authorization = ***]", options.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("very-secret", options.ToString(), StringComparison.Ordinal);

        foreach (var name in new[] { "api-key", "grpc-timeout", "trace-bin", "content-type", "te", "user-agent", "host", "connection", "x tenant", "x:y", "" })
        {
            options.Headers[name] = "v";
        }

        options.Headers["x-bad-value"] = Secret + "\n";
        var error = Assert.Throws<ArgumentException>(() => new QdrantClientPool(options));
        foreach (var name in new[] { "api-key", "grpc-timeout", "trace-bin", "content-type", "te", "user-agent", "host", "connection", "x tenant", "x:y", "" })
        {
            Assert.Contains($"Headers has the name \"{name}\", which cannot be sent; a name is letters, digits", error.Message, StringComparison.Ordinal);
        }

        Assert.Contains("Headers[\"x-bad-value\"] (length 25, value not shown) is not a valid header value", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("very-secret", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("authorization", error.Message, StringComparison.Ordinal); // a good header is not a problem
    }

    [Fact]
    public async Task Headers_changed_after_the_pool_was_built_do_not_reach_it()
    {
        var options = Pools.Options(_standIn.Address);
        options.Headers["x-tenant"] = "blue";
        await using var pool = new QdrantClientPool(options);
        options.Headers["x-tenant"] = "red";
        options.Headers["x-late"] = "1";
        await pool.RunAsync((c, ct) => c.ListCollectionsAsync(ct));
        Assert.Equal("blue", _standIn.LastRequestHeaders(List)["x-tenant"]);
        Assert.False(_standIn.LastRequestHeaders(List).ContainsKey("x-late"));
    }

    [Fact]
    public async Task The_logger_factory_reaches_the_Qdrant_client_and_its_gRPC_channel()
    {
        var logs = new RecordingLoggerFactory();
        await using var pool = Pools.For(_standIn, configure: o => o.LoggerFactory = logs);
        await pool.RunAsync((c, ct) => c.ListCollectionsAsync(ct));

        Assert.Contains(logs.Categories, c => c.StartsWith("Qdrant.Client", StringComparison.Ordinal));
        Assert.Contains(logs.Categories, c => c.StartsWith("Grpc.Net.Client", StringComparison.Ordinal));
        Assert.Contains("LoggerFactory = (set)", new QdrantPoolOptions { LoggerFactory = logs }.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_response_over_MaxReceiveMessageSize_fails_with_ResourceExhausted_and_keeps_the_client()
    {
        await using var pool = Pools.For(_standIn, configure: o => o.MaxReceiveMessageSize = 64);
        await pool.RunAsync((c, ct) => c.CreateCollectionAsync("big", new VectorParams { Size = 4, Distance = Distance.Dot }, cancellationToken: ct));
        var points = Enumerable.Range(0, 10).Select(i => new PointStruct { Id = (ulong)i, Vectors = new[] { i, 1f, 2f, 3f } }).ToList();
        await pool.RunAsync((c, ct) => c.UpsertAsync("big", points, cancellationToken: ct));

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            pool.RunAsync((c, ct) => c.QueryAsync("big", new[] { 1f, 1f, 1f, 1f }, limit: 10, vectorsSelector: true, cancellationToken: ct)));
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Equal("Received message exceeds the maximum configured message size.", error.Status.Detail);
        Assert.Equal((1L, 0L), (pool.GetStatistics().Created, pool.GetStatistics().Destroyed));
    }

    [Fact]
    public async Task A_request_over_MaxSendMessageSize_fails_before_it_is_sent()
    {
        await using var pool = Pools.For(_standIn, configure: o => o.MaxSendMessageSize = 64);
        await pool.RunAsync((c, ct) => c.CreateCollectionAsync("big", new VectorParams { Size = 64, Distance = Distance.Dot }, cancellationToken: ct));
        var point = new PointStruct { Id = 1, Vectors = Enumerable.Repeat(1f, 64).ToArray() };

        var error = await Assert.ThrowsAsync<RpcException>(() => pool.RunAsync((c, ct) => c.UpsertAsync("big", [point], cancellationToken: ct)));
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Equal("Sending message exceeds the maximum configured message size.", error.Status.Detail);
        Assert.Equal(0, _standIn.CallCount("qdrant.Points/Upsert"));
        Assert.Equal(0, pool.GetStatistics().Destroyed);
    }

    [Fact]
    public async Task RequestCompression_gzip_compresses_what_the_server_receives_and_the_data_arrives_intact()
    {
        await using var pool = Pools.For(_standIn, configure: o => o.RequestCompression = "gzip");
        await pool.RunAsync((c, ct) => c.CreateCollectionAsync("zipped", new VectorParams { Size = 4, Distance = Distance.Euclid }, cancellationToken: ct));
        var points = Enumerable.Range(0, 50).Select(i => new PointStruct { Id = (ulong)i, Vectors = new[] { i, 0f, 0f, 0f } }).ToList();
        await pool.RunAsync((c, ct) => c.UpsertAsync("zipped", points, cancellationToken: ct));

        Assert.Equal("gzip", _standIn.LastRequestHeaders("qdrant.Points/Upsert")["grpc-encoding"]);
        Assert.Equal(50UL, await pool.RunAsync((c, ct) => c.CountAsync("zipped", exact: true, cancellationToken: ct)));
    }

    [Fact]
    public void Bad_message_sizes_and_compression_are_named_with_their_range()
    {
        var options = new QdrantPoolOptions { MaxSendMessageSize = 0, MaxReceiveMessageSize = -5, RequestCompression = "br" };
        var error = Assert.Throws<ArgumentException>(() => new QdrantConnectionFactory(options));
        Assert.Contains("MaxSendMessageSize is 0; it must be at least 1 (bytes), or null for no limit.", error.Message, StringComparison.Ordinal);
        Assert.Contains("MaxReceiveMessageSize is -5; it must be at least 1 (bytes), or null for gRPC's 4 MB.", error.Message, StringComparison.Ordinal);
        Assert.Contains("RequestCompression is \"br\"; it must be null (no compression) or \"gzip\".", error.Message, StringComparison.Ordinal);
        Assert.Contains("MaxSendMessageSize = 0, MaxReceiveMessageSize = -5, RequestCompression = br", options.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_exception_from_ConfigureHandler_fails_the_create_and_reaches_the_caller()
    {
        var thrown = new InvalidOperationException("no proxy configured");
        await using var pool = Pools.For(_standIn, configure: o => o.ConfigureHandler = _ => throw thrown);
        var error = await Assert.ThrowsAsync<ConnectionCreateException>(() => pool.RunAsync((c, ct) => c.ListCollectionsAsync(ct)));
        Assert.Same(thrown, error.InnerException);
        Assert.Equal(0, _standIn.AcceptedConnections);
        Assert.Equal(0, pool.Factory.LiveClients);
    }

    /// <summary>Records the categories of the loggers asked for; logs nothing.</summary>
    private sealed class RecordingLoggerFactory : ILoggerFactory
    {
        private readonly ConcurrentDictionary<string, bool> _categories = new(StringComparer.Ordinal);

        public IEnumerable<string> Categories => _categories.Keys;

        public ILogger CreateLogger(string categoryName)
        {
            _categories[categoryName] = true;
            return Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        }

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }
    }
}
