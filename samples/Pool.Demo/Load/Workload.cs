using Pool.Qdrant;
using Qdrant.Client;
using Qdrant.Client.Grpc;

namespace Pool.Demo.Load;

/// <summary>
/// The calls the workers make: upserts of random points and queries whose right answer is known
/// (point k's own vector must find k first, Cosine score 1).
/// </summary>
internal sealed class Workload(string collection)
{
    private const int Dimensions = 8;
    private const int SeededPoints = 1_000;  // ids 0..999, queried; their vectors never change
    private const int UpsertedPoints = 1_000; // ids 1000..1999, overwritten by the workers

    public string Collection { get; } = collection;

    /// <summary>Creates the collection and its queried points.</summary>
    public async Task SetUpAsync(QdrantClientPool pool)
    {
        await pool.Client.CreateCollectionAsync(Collection, new VectorParams { Size = Dimensions, Distance = Distance.Cosine });
        var seed = Enumerable.Range(0, SeededPoints).Select(i => new PointStruct { Id = (ulong)i, Vectors = VectorOf(i) }).ToList();
        await pool.Client.UpsertAsync(Collection, seed, wait: true);
    }

    /// <summary>Deletes the collection (on a real Qdrant, which outlives the run).</summary>
    public Task TearDownAsync(QdrantClientPool pool) => pool.Client.DeleteCollectionAsync(Collection);

    /// <summary>Draws the next call.</summary>
    public static Call Next(Random random) => random.Next(2) == 0
        ? new Call(true, SeededPoints + random.Next(UpsertedPoints), [.. Enumerable.Range(0, Dimensions).Select(_ => (float)(random.NextDouble() - 0.5))])
        : new Call(false, random.Next(SeededPoints), null);

    /// <summary>Makes the call; false if a query did not find the point it asked for.</summary>
    public async Task<bool> RunAsync(QdrantClient client, Call call, CancellationToken cancellationToken)
    {
        if (call.Upsert)
        {
            var point = new PointStruct { Id = (ulong)call.Id, Vectors = call.Vector! };
            await client.UpsertAsync(Collection, [point], wait: true, cancellationToken: cancellationToken);
            return true;
        }

        var found = await client.QueryAsync(Collection, VectorOf(call.Id), limit: 1, cancellationToken: cancellationToken);
        return found.Count > 0 && found[0].Id.Num == (ulong)call.Id;
    }

    /// <summary>A fixed direction per id.</summary>
    private static float[] VectorOf(int id) =>
        [.. Enumerable.Range(0, Dimensions).Select(j => (float)Math.Sin((id + 1) * (j + 1) * 0.7 + j))];

    /// <summary>An upsert of <see cref="Vector"/> at <see cref="Id"/>, or a query for point <see cref="Id"/>.</summary>
    internal sealed record Call(bool Upsert, int Id, float[]? Vector);
}
