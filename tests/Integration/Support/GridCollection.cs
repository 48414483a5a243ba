using Qdrant.Client.Grpc;

namespace Pool.Tests.Integration.Support;

/// <summary>
/// A Euclid collection of points on a line, id i at (i, 0, 0, 0): the nearest point to (k + 0.1, 0, 0, 0)
/// is k at distance 0.1, so every query has one known right answer.
/// </summary>
internal static class GridCollection
{
    public const string Name = "grid";

    public static async Task CreateAsync(QdrantClientPool pool, int points)
    {
        await pool.RunAsync((c, ct) => c.CreateCollectionAsync(Name, new VectorParams { Size = 4, Distance = Distance.Euclid }, cancellationToken: ct));
        var batch = Enumerable.Range(0, points)
            .Select(i => new PointStruct { Id = (ulong)i, Vectors = new[] { i, 0f, 0f, 0f } })
            .ToList();
        await pool.RunAsync((c, ct) => c.UpsertAsync(Name, batch, cancellationToken: ct));
    }

    /// <summary>Queries near point <paramref name="k"/> and fails unless the answer is exactly k at 0.1.</summary>
    public static async Task<ulong> QueryNearAsync(QdrantClientPool pool, int k, CancellationToken cancellationToken = default)
    {
        var found = await pool.RunAsync(
            (c, ct) => c.QueryAsync(Name, new[] { k + 0.1f, 0f, 0f, 0f }, limit: 1, cancellationToken: ct),
            cancellationToken);
        var nearest = Assert.Single(found);
        Assert.Equal((ulong)k, nearest.Id.Num);
        Assert.Equal(0.1f, nearest.Score, 0.0001f);
        return nearest.Id.Num;
    }
}
