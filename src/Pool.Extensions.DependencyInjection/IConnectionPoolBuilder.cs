using Pool;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Configures a <see cref="ConnectionPool{TConnection}"/> registered with
/// <see cref="ConnectionPoolServiceCollectionExtensions.AddConnectionPool{TConnection, TFactory}(IServiceCollection, string, Action{ConnectionPoolOptions}?)"/>:
/// bind its options (<see cref="ConnectionPoolBuilderExtensions.BindConfiguration{TConnection}"/>), configure them
/// further and add its health check.
/// </summary>
/// <typeparam name="TConnection">The connection type.</typeparam>
public interface IConnectionPoolBuilder<TConnection>
{
    /// <summary>The pool's registration name: its service key, the name of its <see cref="ConnectionPoolOptions"/>, and its default <see cref="ConnectionPoolOptions.Name"/>.</summary>
    string Name { get; }

    /// <summary>The service collection the pool is registered in.</summary>
    IServiceCollection Services { get; }
}
