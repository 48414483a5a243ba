using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Pool;
using Pool.Extensions.DependencyInjection.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="ConnectionPool{TConnection}"/>s in an <see cref="IServiceCollection"/>.</summary>
/// <remarks>
/// <para>
/// Each pool has a name. It is the pool's service key (inject it with
/// <c>[FromKeyedServices("orders")] ConnectionPool&lt;T&gt;</c>), the name of its
/// <see cref="ConnectionPoolOptions"/> (named options, validated when the host starts), and its
/// <see cref="ConnectionPoolOptions.Name"/> unless the settings give another. The first pool of a
/// connection type is also registered without a key, so an app with one pool per type injects
/// <c>ConnectionPool&lt;T&gt;</c> directly; later pools of the same type are keyed only.
/// </para>
/// <para>
/// Settings are applied in registration order, later ones winning: the <c>configure</c> delegate, then
/// whatever the returned builder adds (<see cref="ConnectionPoolBuilderExtensions.BindConfiguration{TConnection}"/>,
/// <see cref="ConnectionPoolBuilderExtensions.Configure{TConnection}(IConnectionPoolBuilder{TConnection}, Action{ConnectionPoolOptions})"/>).
/// Settings still at their defaults after that take the container's <see cref="TimeProvider"/>,
/// <see cref="Logging.ILoggerFactory"/> and <see cref="System.Diagnostics.Metrics.IMeterFactory"/> when it has them.
/// </para>
/// <para>
/// The pool is a singleton created on first use and disposed with the container: dispose the
/// container with <c>DisposeAsync</c> (as the generic host does), since the pool is
/// <see cref="IAsyncDisposable"/> only.
/// </para>
/// </remarks>
public static class ConnectionPoolServiceCollectionExtensions
{
    /// <summary>
    /// Registers a pool named <paramref name="name"/> whose connections come from a
    /// <typeparamref name="TFactory"/>, created by the container (its constructor may take services,
    /// and <c>[ServiceKey] string name</c> to learn the pool's name).
    /// </summary>
    /// <typeparam name="TConnection">The connection type.</typeparam>
    /// <typeparam name="TFactory">The connection factory; the container creates one per pool and disposes it after the pool.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The pool's name: its service key and the name of its options. Not empty or white space, and not used by another pool.</param>
    /// <param name="configure">Sets the pool's options; runs before anything the returned builder adds.</param>
    /// <returns>A builder to bind the options from configuration and add the health check.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or white space.</exception>
    /// <exception cref="InvalidOperationException">A pool named <paramref name="name"/> is already registered.</exception>
    public static IConnectionPoolBuilder<TConnection> AddConnectionPool<TConnection, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TFactory>(
        this IServiceCollection services, string name, Action<ConnectionPoolOptions>? configure = null)
        where TFactory : class, IConnectionFactory<TConnection>
    {
        var builder = AddPool<TConnection>(services, name, configure);
        services.AddKeyedSingleton<IConnectionFactory<TConnection>, TFactory>(name);
        return builder;
    }

    /// <summary>Registers a pool named <paramref name="name"/> whose factory <paramref name="createFactory"/> makes.</summary>
    /// <typeparam name="TConnection">The connection type.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The pool's name: its service key and the name of its options. Not empty or white space, and not used by another pool.</param>
    /// <param name="createFactory">Makes the pool's factory, once, when the pool is first resolved. The container disposes what it returns, after the pool.</param>
    /// <param name="configure">Sets the pool's options; runs before anything the returned builder adds.</param>
    /// <returns>A builder to bind the options from configuration and add the health check.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or white space.</exception>
    /// <exception cref="InvalidOperationException">A pool named <paramref name="name"/> is already registered.</exception>
    public static IConnectionPoolBuilder<TConnection> AddConnectionPool<TConnection>(
        this IServiceCollection services, string name, Func<IServiceProvider, IConnectionFactory<TConnection>> createFactory, Action<ConnectionPoolOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(createFactory);
        var builder = AddPool<TConnection>(services, name, configure);
        services.AddKeyedSingleton(name, (provider, _) => createFactory(provider));
        return builder;
    }

    private static ConnectionPoolBuilder<TConnection> AddPool<TConnection>(IServiceCollection services, string name, Action<ConnectionPoolOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (IsRegistered(services, name))
        {
            throw new InvalidOperationException(
                $"A connection pool named '{name}' is already registered. Give each pool its own name: it is the pool's service key and the name of its ConnectionPoolOptions.");
        }

        var validator = new PoolOptionsValidator(name);
        services.AddSingleton<IValidateOptions<ConnectionPoolOptions>>(validator);
        var options = services.AddOptions<ConnectionPoolOptions>(name);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.PostConfigure<IServiceProvider>((settings, provider) => ContainerDefaults.Apply(settings, provider, name));
        options.ValidateOnStart();

        services.AddKeyedSingleton(name, (provider, _) =>
        {
            // Options first: bad settings throw their OptionsValidationException before any factory is built.
            var settings = provider.GetRequiredService<IOptionsMonitor<ConnectionPoolOptions>>().Get(name);
            return new ConnectionPool<TConnection>(provider.GetRequiredKeyedService<IConnectionFactory<TConnection>>(name), settings);
        });

        // The first pool of a type also answers unkeyed requests. The container tracks this
        // registration's result too, so it calls DisposeAsync twice on the pool: that is idempotent.
        services.TryAddSingleton(provider => provider.GetRequiredKeyedService<ConnectionPool<TConnection>>(name));
        return new ConnectionPoolBuilder<TConnection>(services, name, validator);
    }

    // ImplementationInstance throws on keyed descriptors: test IsKeyedService first.
    private static bool IsRegistered(IServiceCollection services, string name) => services.Any(descriptor =>
        !descriptor.IsKeyedService
        && descriptor.ServiceType == typeof(IValidateOptions<ConnectionPoolOptions>)
        && descriptor.ImplementationInstance is PoolOptionsValidator validator
        && string.Equals(validator.Name, name, StringComparison.Ordinal));
}
