using Qdrant.Client.Grpc;

namespace Pool.Tests.Integration.DropIn;

/// <summary>
/// The drop-in client is a plain <see cref="QdrantClient"/>: the same calls, the same answers, on the
/// stand-in and, with QDRANT_URL, on a real Qdrant.
/// </summary>
public sealed class DropInClientTests
{
    public static TheoryData<string> AllTargets() => Targets.AllAsTheoryData();

    [Theory]
    [MemberData(nameof(AllTargets))]
    public async Task Plain_QdrantClient_calls_create_upsert_query_and_count_through_the_pool(string target)
    {
        await using var standIn = target == Targets.StandIn ? await QdrantStandIn.StartAsync() : null;
        await using var pool = standIn is null ? Targets.RealPool() : Pools.DropIn(standIn);
        var client = pool.Client;
        string collection = Targets.UniqueCollection("dropin");
        await client.CreateCollectionAsync(collection, new VectorParams { Size = 2, Distance = Distance.Dot });
        try
        {
            var upsert = await client.UpsertAsync(collection, [
                new PointStruct { Id = 1ul, Vectors = new[] { 1f, 0f } },
                new PointStruct { Id = 2ul, Vectors = new[] { 3f, 1f } },
                new PointStruct { Id = 3ul, Vectors = new[] { 0f, 1f } },
            ], wait: true);
            Assert.Equal(UpdateStatus.Completed, upsert.Status);
            Assert.Equal(3ul, await client.CountAsync(collection, exact: true));
            var hits = await client.QueryAsync(collection, new[] { 1f, 0f }, limit: 2);
            Assert.Equal([2ul, 1ul], hits.Select(h => h.Id.Num));
            Assert.Equal([3f, 1f], hits.Select(h => h.Score));

            var missing = await Assert.ThrowsAsync<RpcException>(() => client.GetCollectionInfoAsync(collection + "-missing"));
            Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        }
        finally
        {
            await client.DeleteCollectionAsync(collection);
        }

        var stats = pool.GetStatistics();
        Assert.Equal(0, stats.Leases);
        Assert.Equal(0, stats.Destroyed);
    }

    [Fact]
    public async Task The_client_carries_the_api_key_and_headers_on_every_call()
    {
        await using var standIn = await QdrantStandIn.StartAsync();
        standIn.Faults.RequiredApiKey = "secret";
        await using var pool = Pools.DropIn(standIn, o =>
        {
            o.ApiKey = "secret";
            o.Headers["x-tenant"] = "blue";
        });
        Assert.Empty(await pool.Client.ListCollectionsAsync());
        var headers = standIn.LastRequestHeaders("qdrant.Collections/List");
        Assert.Equal("secret", headers["api-key"]);
        Assert.Equal("blue", headers["x-tenant"]);
    }

    [Fact]
    public async Task Calls_after_the_pool_is_disposed_throw_ObjectDisposedException_and_the_channels_are_closed()
    {
        await using var standIn = await QdrantStandIn.StartAsync();
        var pool = Pools.DropIn(standIn);
        await pool.Pool.WarmUpAsync();
        Assert.Empty(await pool.Client.ListCollectionsAsync());
        await pool.DisposeAsync();

        var error = await Assert.ThrowsAsync<ObjectDisposedException>(() => pool.Client.ListCollectionsAsync());
        Assert.Equal(typeof(QdrantClientPool).FullName, error.ObjectName);
        Assert.Equal(0, pool.Factory.LiveClients);
        Assert.Equal(QdrantPoolOptions.DefaultMinSize, pool.Factory.Destroyed);
        await Waits.UntilAsync(() => standIn.OpenConnections == 0, () => $"the server still sees {standIn.OpenConnections} connections");
    }

    [Fact]
    public async Task A_call_in_flight_when_the_pool_is_disposed_completes_and_its_channel_closes_after_it()
    {
        await using var standIn = await QdrantStandIn.StartAsync();
        standIn.Faults.SpareHealthCheck = true;
        var pool = Pools.DropIn(standIn);
        await pool.Client.HealthAsync();
        standIn.Faults.Latency = TimeSpan.FromMilliseconds(300);
        var call = pool.Client.ListCollectionsAsync();
        await Waits.UntilAsync(() => standIn.CallsInFlight == 1, () => "the call never reached the server");

        var disposing = pool.DisposeAsync().AsTask();
        Assert.Empty(await call);
        await disposing;
        Assert.Equal(0, pool.Factory.LiveClients);
        Assert.Equal(QdrantPoolOptions.DefaultMinSize, pool.GetStatistics().DestroyedDisposed);
    }

    [Fact]
    public async Task Disposing_the_drop_in_client_leaves_the_pool_serving()
    {
        await using var standIn = await QdrantStandIn.StartAsync();
        await using var pool = Pools.DropIn(standIn);
        pool.Client.Dispose(); // a container that created it by a factory does this
        Assert.Empty(await pool.Client.ListCollectionsAsync());
        Assert.Equal((0L, 0), (pool.GetStatistics().Destroyed, pool.GetStatistics().Leases));
    }
}
