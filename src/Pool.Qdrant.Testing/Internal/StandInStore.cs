using System.Collections.Concurrent;
using Grpc.Core;
using Qdrant.Client.Grpc;

namespace Pool.Qdrant.Testing.Internal;

/// <summary>The collections of a stand-in. They outlive server restarts, as Qdrant's storage does.</summary>
internal sealed class StandInStore
{
    private readonly ConcurrentDictionary<string, StandInCollection> _collections = new(StringComparer.Ordinal);

    public IEnumerable<string> Names => _collections.Keys.Order(StringComparer.Ordinal);

    public bool Exists(string name) => _collections.ContainsKey(name);

    public StandInCollection Get(string name) =>
        _collections.TryGetValue(name, out var collection)
            ? collection
            : throw new RpcException(new Status(StatusCode.NotFound, $"Not found: Collection `{name}` doesn't exist!"));

    public void Create(CreateCollection request)
    {
        if (request.VectorsConfig?.ConfigCase != VectorsConfig.ConfigOneofCase.Params || request.VectorsConfig.Params.Size == 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "Wrong input: the stand-in supports one unnamed dense vector config with a size."));
        }

        if (request.VectorsConfig.Params.Distance == Distance.UnknownDistance)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "Wrong input: unknown distance."));
        }

        var collection = new StandInCollection(request.VectorsConfig.Params);
        if (!_collections.TryAdd(request.CollectionName, collection))
        {
            throw new RpcException(new Status(StatusCode.AlreadyExists, $"Wrong input: Collection `{request.CollectionName}` already exists!"));
        }
    }

    /// <summary>Like Qdrant, deleting a missing collection answers false rather than failing.</summary>
    public bool Delete(string name) => _collections.TryRemove(name, out _);
}
