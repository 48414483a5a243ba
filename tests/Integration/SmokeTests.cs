using Pool.Qdrant;
using Pool.Qdrant.Testing;
using Qdrant.Client.Grpc;

namespace Pool.Tests.Integration;

public sealed class SmokeTests
{
    [Fact]
    public async Task A_pooled_client_answers_health_and_search()
    {
        await using var standIn = await QdrantStandIn.StartAsync();
        await using var pool = new QdrantClientPool(new QdrantPoolOptions { Address = standIn.Address });
        var health = await pool.RunAsync((c, ct) => c.HealthAsync(ct));
        Assert.Equal("qdrant - vector search engine", health.Title);
        await pool.RunAsync((c, ct) => c.CreateCollectionAsync("c", new VectorParams { Size = 2, Distance = Distance.Cosine }, cancellationToken: ct));
        await pool.RunAsync((c, ct) => c.UpsertAsync("c", [new PointStruct { Id = 1, Vectors = new[] { 1f, 0f } }], cancellationToken: ct));
        var found = await pool.RunAsync((c, ct) => c.QueryAsync("c", new[] { 1f, 0f }, cancellationToken: ct));
        Assert.Single(found);
        Assert.Equal(1, standIn.OpenConnections);
        Assert.Equal(1, pool.Factory.LiveClients);
    }
}
