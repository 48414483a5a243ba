using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Pool.Qdrant;
using Pool.Qdrant.Extensions.DependencyInjection.Internal;
using Qdrant.Client;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="QdrantClientPool"/>s and their drop-in <see cref="QdrantClient"/>s in an <see cref="IServiceCollection"/>.</summary>
/// <remarks>
/// The same rules as <see cref="ConnectionPoolServiceCollectionExtensions"/>: the name keys the pool
/// (the first one is also registered unkeyed) and names its <see cref="QdrantPoolOptions"/>, which are
/// validated when the host starts; settings apply in registration order; pool settings left at their
/// defaults take the container's <see cref="TimeProvider"/>, logger factory and meter factory, and the
/// pool's name; the container disposes (drains) the pool, without blocking when it is disposed with
/// <c>DisposeAsync</c> as the generic host does.
/// </remarks>
public static class QdrantServiceCollectionExtensions
{
    /// <summary>The registration name <see cref="AddQdrantClientPool(IServiceCollection, Action{QdrantPoolOptions}?)"/> uses: "qdrant".</summary>
    public const string DefaultName = "qdrant";

    /// <summary>Registers a Qdrant client pool named <see cref="DefaultName"/>.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options; runs before anything the returned builder adds.</param>
    /// <returns>A builder to bind the options from configuration (<c>.BindConfiguration("Qdrant")</c>) and add the health check.</returns>
    /// <exception cref="InvalidOperationException">A Qdrant pool with that name is already registered.</exception>
    public static IQdrantClientPoolBuilder AddQdrantClientPool(this IServiceCollection services, Action<QdrantPoolOptions>? configure = null) =>
        services.AddQdrantClientPool(DefaultName, configure);

    /// <summary>Registers a Qdrant client pool named <paramref name="name"/>, for apps that talk to more than one Qdrant.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The pool's name: its service key and the name of its options. Not empty or white space, and not used by another Qdrant pool.</param>
    /// <param name="configure">Sets the options; runs before anything the returned builder adds.</param>
    /// <returns>A builder to bind the options from configuration and add the health check.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or white space.</exception>
    /// <exception cref="InvalidOperationException">A Qdrant pool named <paramref name="name"/> is already registered.</exception>
    public static IQdrantClientPoolBuilder AddQdrantClientPool(this IServiceCollection services, string name, Action<QdrantPoolOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (IsRegistered(services, name))
        {
            throw new InvalidOperationException(
                $"A Qdrant client pool named '{name}' is already registered. Give each pool its own name: it is the pool's service key and the name of its QdrantPoolOptions.");
        }

        var validator = new QdrantPoolOptionsValidator(name);
        services.AddSingleton<IValidateOptions<QdrantPoolOptions>>(validator);
        var options = services.AddOptions<QdrantPoolOptions>(name);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.PostConfigure<IServiceProvider>((settings, provider) => QdrantContainerDefaults.Apply(settings, provider, name));
        options.ValidateOnStart();

        services.AddKeyedSingleton(name, (provider, _) => new QdrantClientPool(provider.GetRequiredService<IOptionsMonitor<QdrantPoolOptions>>().Get(name)));

        // The container tracks this registration's result too and so disposes the pool twice: idempotent.
        services.TryAddSingleton(provider => provider.GetRequiredKeyedService<QdrantClientPool>(name));
        return new QdrantClientPoolBuilder(services, name, validator);
    }

    /// <summary>
    /// Registers a Qdrant client pool named <see cref="DefaultName"/> and its drop-in client:
    /// <see cref="QdrantClient"/> and <see cref="IQdrantClient"/> resolve to <see cref="QdrantClientPool.Client"/>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options; runs before anything the returned builder adds.</param>
    /// <returns>A builder to bind the options from configuration (<c>.BindConfiguration("Qdrant")</c>) and add the health check.</returns>
    /// <exception cref="InvalidOperationException">A Qdrant pool with that name is already registered.</exception>
    public static IQdrantClientPoolBuilder AddQdrantClient(this IServiceCollection services, Action<QdrantPoolOptions>? configure = null) =>
        services.AddQdrantClient(DefaultName, configure);

    /// <summary>
    /// Registers a Qdrant client pool named <paramref name="name"/> (as
    /// <see cref="AddQdrantClientPool(IServiceCollection, string, Action{QdrantPoolOptions}?)"/> does) and its
    /// drop-in client: <see cref="QdrantClient"/> and <see cref="IQdrantClient"/>, keyed by
    /// <paramref name="name"/> and, for the first Qdrant registered, unkeyed too, resolve to the pool's
    /// <see cref="QdrantClientPool.Client"/>, for the app's own code and for libraries that take a
    /// <see cref="QdrantClient"/> or <see cref="IQdrantClient"/> from the container.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The registration's name: the service key of the pool and its clients, and the name of its options.</param>
    /// <param name="configure">Sets the options; runs before anything the returned builder adds.</param>
    /// <returns>A builder to bind the options from configuration and add the health check.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or white space.</exception>
    /// <exception cref="InvalidOperationException">A Qdrant pool named <paramref name="name"/> is already registered.</exception>
    public static IQdrantClientPoolBuilder AddQdrantClient(this IServiceCollection services, string name, Action<QdrantPoolOptions>? configure = null)
    {
        var builder = services.AddQdrantClientPool(name, configure);

        // The container disposes what these factories return; the drop-in client owns nothing, so
        // that is harmless, and the pool (disposed with the container too) closes the channels.
        services.AddKeyedSingleton(name, (provider, _) => provider.GetRequiredKeyedService<QdrantClientPool>(name).Client);
        services.AddKeyedSingleton<IQdrantClient>(name, (provider, _) => provider.GetRequiredKeyedService<QdrantClient>(name));
        services.TryAddSingleton(provider => provider.GetRequiredKeyedService<QdrantClient>(name));
        services.TryAddSingleton<IQdrantClient>(provider => provider.GetRequiredKeyedService<QdrantClient>(name));
        return builder;
    }

    private static bool IsRegistered(IServiceCollection services, string name) => services.Any(descriptor =>
        !descriptor.IsKeyedService // ImplementationInstance throws on keyed descriptors
        && descriptor.ServiceType == typeof(IValidateOptions<QdrantPoolOptions>)
        && descriptor.ImplementationInstance is QdrantPoolOptionsValidator validator
        && string.Equals(validator.Name, name, StringComparison.Ordinal));
}
