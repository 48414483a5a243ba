using Pool.Qdrant;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Configures a <see cref="QdrantClientPool"/> registered with
/// <see cref="QdrantServiceCollectionExtensions.AddQdrantClientPool(IServiceCollection, string, Action{QdrantPoolOptions}?)"/>:
/// bind its options, configure them further and add its health check.
/// </summary>
public interface IQdrantClientPoolBuilder
{
    /// <summary>The pool's registration name: its service key, the name of its <see cref="QdrantPoolOptions"/>, and its default pool name.</summary>
    string Name { get; }

    /// <summary>The service collection the pool is registered in.</summary>
    IServiceCollection Services { get; }
}
