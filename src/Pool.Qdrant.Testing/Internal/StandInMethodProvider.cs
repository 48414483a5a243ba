using Google.Protobuf;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Qdrant.Client.Grpc;

namespace Pool.Qdrant.Testing.Internal;

/// <summary>Declares the Qdrant methods the stand-in serves, by their real paths, and what each answers.</summary>
internal sealed class StandInMethodProvider : IServiceMethodProvider<StandInService>
{
    private const ulong DefaultLimit = 10; // Qdrant's default for query

    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<StandInService> context)
    {
        Add<HealthCheckRequest, HealthCheckReply>(context, "qdrant.Qdrant", "HealthCheck", (s, _) =>
            new HealthCheckReply { Title = "qdrant - vector search engine", Version = s.State.Version });

        Add<ListCollectionsRequest, ListCollectionsResponse>(context, "qdrant.Collections", "List", (s, _) =>
        {
            var reply = new ListCollectionsResponse();
            reply.Collections.Add(s.State.Store.Names.Select(n => new CollectionDescription { Name = n }));
            return reply;
        });
        Add<GetCollectionInfoRequest, GetCollectionInfoResponse>(context, "qdrant.Collections", "Get", (s, r) => new GetCollectionInfoResponse
        {
            Result = Describe(s.State.Store.Get(r.CollectionName)),
        });
        Add<CreateCollection, CollectionOperationResponse>(context, "qdrant.Collections", "Create", (s, r) =>
        {
            s.State.Store.Create(r);
            return new CollectionOperationResponse { Result = true };
        });
        Add<DeleteCollection, CollectionOperationResponse>(context, "qdrant.Collections", "Delete", (s, r) =>
            new CollectionOperationResponse { Result = s.State.Store.Delete(r.CollectionName) });
        Add<CollectionExistsRequest, CollectionExistsResponse>(context, "qdrant.Collections", "CollectionExists", (s, r) =>
            new CollectionExistsResponse { Result = new CollectionExists { Exists = s.State.Store.Exists(r.CollectionName) } });

        Add<UpsertPoints, PointsOperationResponse>(context, "qdrant.Points", "Upsert", (s, r) =>
        {
            NoFilter(r.UpdateFilter);
            ulong operation = s.State.Store.Get(r.CollectionName).Upsert(r.Points);
            return new PointsOperationResponse { Result = new UpdateResult { OperationId = operation, Status = UpdateStatus.Completed } };
        });
        Add<QueryPoints, QueryResponse>(context, "qdrant.Points", "Query", (s, r) =>
        {
            var reply = new QueryResponse();
            reply.Result.Add(Query(s.State.Store.Get(r.CollectionName), r));
            return reply;
        });
        Add<SearchPoints, SearchResponse>(context, "qdrant.Points", "Search", (s, r) =>
        {
            NoFilter(r.Filter);
            var reply = new SearchResponse();
            reply.Result.Add(s.State.Store.Get(r.CollectionName).Nearest(
                r.Vector, r.Limit, r.Offset, r.HasScoreThreshold ? r.ScoreThreshold : null, Wants(r.WithPayload), Wants(r.WithVectors)));
            return reply;
        });
        Add<GetPoints, GetResponse>(context, "qdrant.Points", "Get", (s, r) =>
        {
            var reply = new GetResponse();
            reply.Result.Add(s.State.Store.Get(r.CollectionName).Get(r.Ids, Wants(r.WithPayload), Wants(r.WithVectors)));
            return reply;
        });
        Add<CountPoints, CountResponse>(context, "qdrant.Points", "Count", (s, r) =>
        {
            NoFilter(r.Filter);
            return new CountResponse { Result = new CountResult { Count = (ulong)s.State.Store.Get(r.CollectionName).Count } };
        });
    }

    private static void Add<TRequest, TResponse>(
        ServiceMethodProviderContext<StandInService> context, string service, string name, Func<StandInService, TRequest, TResponse> answer)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        string path = service + "/" + name;
        context.AddUnaryMethod(
            QdrantMethods.Unary<TRequest, TResponse>(service, name),
            [],
            (stand, request, call) => stand.RunAsync(path, () => answer(stand, request), call));
    }

    private static List<ScoredPoint> Query(StandInCollection collection, QueryPoints request)
    {
        NoFilter(request.Filter);
        if (request.Prefetch.Count > 0 || !string.IsNullOrEmpty(request.Using))
        {
            throw Unsupported("prefetch and named vectors");
        }

        ulong limit = request.HasLimit ? request.Limit : DefaultLimit;
        ulong offset = request.HasOffset ? request.Offset : 0;
        bool payload = Wants(request.WithPayload), vectors = Wants(request.WithVectors);
        if (request.Query is null)
        {
            return collection.ById(limit, offset, payload, vectors);
        }

        if (request.Query.VariantCase != global::Qdrant.Client.Grpc.Query.VariantOneofCase.Nearest
            || request.Query.Nearest.VariantCase != VectorInput.VariantOneofCase.Dense)
        {
            throw Unsupported("queries other than nearest to a dense vector");
        }

        return collection.Nearest(
            request.Query.Nearest.Dense.Data, limit, offset, request.HasScoreThreshold ? request.ScoreThreshold : null, payload, vectors);
    }

    private static CollectionInfo Describe(StandInCollection collection) => new()
    {
        Status = CollectionStatus.Green,
        OptimizerStatus = new OptimizerStatus { Ok = true },
        SegmentsCount = 1,
        PointsCount = (ulong)collection.Count,
        IndexedVectorsCount = 0,
        Config = new CollectionConfig
        {
            Params = new CollectionParams { ShardNumber = 1, ReplicationFactor = 1, WriteConsistencyFactor = 1, VectorsConfig = new VectorsConfig { Params = collection.Vectors.Clone() } },
        },
    };

    // Include and exclude selectors return the whole payload: the stand-in does not filter fields.
    private static bool Wants(WithPayloadSelector? selector) =>
        selector is not null && (selector.SelectorOptionsCase != WithPayloadSelector.SelectorOptionsOneofCase.Enable || selector.Enable);

    private static bool Wants(WithVectorsSelector? selector) =>
        selector is not null && (selector.SelectorOptionsCase != WithVectorsSelector.SelectorOptionsOneofCase.Enable || selector.Enable);

    private static void NoFilter(Filter? filter)
    {
        if (filter is not null)
        {
            throw Unsupported("filters");
        }
    }

    private static RpcException Unsupported(string what) =>
        new(new Status(StatusCode.InvalidArgument, $"Wrong input: the Qdrant stand-in does not support {what}."));
}
