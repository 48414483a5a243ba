using Qdrant.Client.Grpc;

namespace Pool.Tests.Integration;

/// <summary>
/// Functional tests that run on the stand-in and, when QDRANT_URL is set, on a real Qdrant too:
/// the stand-in must answer as Qdrant does.
/// </summary>
public sealed class SearchTests
{
    // Query (1, 0). Point 2 is far but long (wins on Dot), point 4 is near but short (wins on Euclid
    // over 3 and 5), so each distance ranks the five points differently.
    private static readonly Dictionary<ulong, float[]> Points = new()
    {
        [1] = [1f, 0f],
        [2] = [10f, 1f],
        [3] = [0f, 1f],
        [4] = [0.5f, 0.5f],
        [5] = [-1f, 0f],
    };

    public static TheoryData<string, Distance, ulong[], float[]> Rankings()
    {
        var data = new TheoryData<string, Distance, ulong[], float[]>();
        foreach (var target in Targets.All())
        {
            // Cosine: similarity of unit vectors. Dot: the dot product. Euclid: the distance, ascending.
            data.Add(target, Distance.Cosine, [1, 2, 4, 3, 5], [1f, 10f / MathF.Sqrt(101f), MathF.Sqrt(0.5f), 0f, -1f]);
            data.Add(target, Distance.Dot, [2, 1, 4, 3, 5], [10f, 1f, 0.5f, 0f, -1f]);
            data.Add(target, Distance.Euclid, [1, 4, 3, 5, 2], [0f, MathF.Sqrt(0.5f), MathF.Sqrt(2f), 2f, MathF.Sqrt(82f)]);
        }

        return data;
    }

    public static TheoryData<string> AllTargets() => Targets.AllAsTheoryData();

    [Theory]
    [MemberData(nameof(Rankings))]
    public async Task Upsert_then_query_returns_the_nearest_points_in_order_with_Qdrants_scores(string target, Distance distance, ulong[] order, float[] scores)
    {
        await using var server = await Server.StartAsync(target);
        string collection = Targets.UniqueCollection(distance.ToString().ToLowerInvariant());
        var pool = server.Pool;
        await pool.RunAsync((c, ct) => c.CreateCollectionAsync(collection, new VectorParams { Size = 2, Distance = distance }, cancellationToken: ct));
        try
        {
            var points = Points.Select(p => new PointStruct { Id = p.Key, Vectors = p.Value, Payload = { ["label"] = $"p{p.Key}" } }).ToList();
            var upsert = await pool.RunAsync((c, ct) => c.UpsertAsync(collection, points, wait: true, cancellationToken: ct));
            Assert.Equal(UpdateStatus.Completed, upsert.Status);
            Assert.Equal(5ul, await pool.RunAsync((c, ct) => c.CountAsync(collection, exact: true, cancellationToken: ct)));

            var all = await pool.RunAsync((c, ct) => c.QueryAsync(collection, new[] { 1f, 0f }, limit: 5, payloadSelector: true, cancellationToken: ct));
            Assert.Equal(order, all.Select(p => p.Id.Num));
            Assert.Equal(scores, all.Select(p => p.Score), (a, b) => MathF.Abs(a - b) < 1e-4f);
            Assert.Equal(order.Select(id => $"p{id}"), all.Select(p => p.Payload["label"].StringValue));

            var top3 = await pool.RunAsync((c, ct) => c.QueryAsync(collection, new[] { 1f, 0f }, limit: 3, cancellationToken: ct));
            Assert.Equal(order.Take(3), top3.Select(p => p.Id.Num));

#pragma warning disable CS0618 // Search is deprecated in favour of Query; both must rank alike.
            var searched = await pool.RunAsync((c, ct) => c.SearchAsync(collection, new[] { 1f, 0f }, limit: 3, cancellationToken: ct));
#pragma warning restore CS0618
            Assert.Equal(order.Take(3), searched.Select(p => p.Id.Num));

            var got = await pool.RunAsync((c, ct) => c.RetrieveAsync(collection, [(PointId)2ul, (PointId)9ul], withPayload: true, cancellationToken: ct));
            Assert.Equal("p2", Assert.Single(got).Payload["label"].StringValue);
        }
        finally
        {
            await pool.RunAsync((c, ct) => c.DeleteCollectionAsync(collection, cancellationToken: ct));
        }
    }

    [Theory]
    [MemberData(nameof(AllTargets))]
    public async Task Collections_are_listed_checked_and_refused_twice_like_Qdrant(string target)
    {
        await using var server = await Server.StartAsync(target);
        var pool = server.Pool;
        string collection = Targets.UniqueCollection("lifecycle");
        Assert.False(await pool.RunAsync((c, ct) => c.CollectionExistsAsync(collection, ct)));
        var missing = await Assert.ThrowsAsync<RpcException>(() => pool.RunAsync((c, ct) => c.GetCollectionInfoAsync(collection, ct)));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        Assert.Contains($"Collection `{collection}` doesn't exist!", missing.Status.Detail, StringComparison.Ordinal);

        var vectors = new VectorParams { Size = 3, Distance = Distance.Cosine };
        await pool.RunAsync((c, ct) => c.CreateCollectionAsync(collection, vectors, cancellationToken: ct));
        try
        {
            var twice = await Assert.ThrowsAsync<RpcException>(() => pool.RunAsync((c, ct) => c.CreateCollectionAsync(collection, vectors, cancellationToken: ct)));
            Assert.Equal(StatusCode.AlreadyExists, twice.StatusCode);
            Assert.True(await pool.RunAsync((c, ct) => c.CollectionExistsAsync(collection, ct)));
            Assert.Contains(collection, await pool.RunAsync((c, ct) => c.ListCollectionsAsync(ct)));
            var info = await pool.RunAsync((c, ct) => c.GetCollectionInfoAsync(collection, ct));
            Assert.Equal(3ul, info.Config.Params.VectorsConfig.Params.Size);
        }
        finally
        {
            await pool.RunAsync((c, ct) => c.DeleteCollectionAsync(collection, cancellationToken: ct));
        }

        Assert.False(await pool.RunAsync((c, ct) => c.CollectionExistsAsync(collection, ct)));
    }

    /// <summary>A pool on the named target; owns the stand-in when that is the target.</summary>
    private sealed class Server : IAsyncDisposable
    {
        private readonly QdrantStandIn? _standIn;

        private Server(QdrantClientPool pool, QdrantStandIn? standIn)
        {
            Pool = pool;
            _standIn = standIn;
        }

        public QdrantClientPool Pool { get; }

        public static async Task<Server> StartAsync(string target)
        {
            if (target == Targets.Real)
            {
                return new Server(Targets.RealPool(), null);
            }

            var standIn = await QdrantStandIn.StartAsync();
            return new Server(Pools.For(standIn), standIn);
        }

        public async ValueTask DisposeAsync()
        {
            await Pool.DisposeAsync();
            if (_standIn is not null)
            {
                await _standIn.DisposeAsync();
            }
        }
    }
}
