using Microsoft.Extensions.DependencyInjection;

namespace Pool.Extensions.DependencyInjection.Internal;

internal sealed class ConnectionPoolBuilder<TConnection>(IServiceCollection services, string name, PoolOptionsValidator validator)
    : IConnectionPoolBuilder<TConnection>
{
    public string Name { get; } = name;

    public IServiceCollection Services { get; } = services;

    /// <summary>This pool's validator, told where its settings come from so its messages can say.</summary>
    public PoolOptionsValidator Validator { get; } = validator;
}
