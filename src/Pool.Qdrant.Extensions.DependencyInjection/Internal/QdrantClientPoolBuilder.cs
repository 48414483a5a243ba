using Microsoft.Extensions.DependencyInjection;

namespace Pool.Qdrant.Extensions.DependencyInjection.Internal;

internal sealed class QdrantClientPoolBuilder(IServiceCollection services, string name, QdrantPoolOptionsValidator validator) : IQdrantClientPoolBuilder
{
    public string Name { get; } = name;

    public IServiceCollection Services { get; } = services;

    /// <summary>This pool's validator, told where its settings come from so its messages can say.</summary>
    public QdrantPoolOptionsValidator Validator { get; } = validator;
}
