using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Pool;
using Pool.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds <see cref="ConnectionPoolHealthCheck"/>s to an <see cref="IHealthChecksBuilder"/>.</summary>
public static class ConnectionPoolHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a health check for the pool registered as <paramref name="poolName"/> (see
    /// <see cref="ConnectionPoolServiceCollectionExtensions"/>); it uses the pool's
    /// <see cref="ConnectionPoolOptions.TimeProvider"/> to measure <paramref name="degradedWindow"/>.
    /// </summary>
    /// <typeparam name="TConnection">The connection type.</typeparam>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="poolName">The pool's registration name (its service key).</param>
    /// <param name="name">The check's name; default <paramref name="poolName"/>.</param>
    /// <param name="failureStatus">Reported instead of Unhealthy; default <see cref="HealthStatus.Unhealthy"/>.</param>
    /// <param name="tags">Tags to filter checks by.</param>
    /// <param name="timeout">How long the check may take; default none.</param>
    /// <param name="degradedWindow">How long acquire timeouts and create failures keep the check Degraded; default <see cref="ConnectionPoolHealthCheck.DefaultDegradedWindow"/>.</param>
    /// <returns>The same builder.</returns>
    public static IHealthChecksBuilder AddConnectionPool<TConnection>(
        this IHealthChecksBuilder builder,
        string poolName,
        string? name = null,
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null,
        TimeSpan? timeout = null,
        TimeSpan? degradedWindow = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(poolName);
        return AddCheck(
            builder,
            name ?? poolName,
            provider => provider.GetRequiredKeyedService<ConnectionPool<TConnection>>(poolName),
            provider => provider.GetRequiredService<IOptionsMonitor<ConnectionPoolOptions>>().Get(poolName).TimeProvider,
            failureStatus,
            tags,
            timeout,
            degradedWindow);
    }

    /// <summary>
    /// Adds a health check for the pool <paramref name="pool"/> returns: for pools the container holds
    /// some other way (a <c>QdrantClientPool</c>'s <c>Pool</c>, a pool registered by hand). It measures
    /// <paramref name="degradedWindow"/> on the container's <see cref="TimeProvider"/>, or the system clock.
    /// </summary>
    /// <typeparam name="TConnection">The connection type.</typeparam>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The check's name.</param>
    /// <param name="pool">Finds the pool; called once, when the check first runs.</param>
    /// <param name="failureStatus">Reported instead of Unhealthy; default <see cref="HealthStatus.Unhealthy"/>.</param>
    /// <param name="tags">Tags to filter checks by.</param>
    /// <param name="timeout">How long the check may take; default none.</param>
    /// <param name="degradedWindow">How long acquire timeouts and create failures keep the check Degraded; default <see cref="ConnectionPoolHealthCheck.DefaultDegradedWindow"/>.</param>
    /// <returns>The same builder.</returns>
    public static IHealthChecksBuilder AddConnectionPool<TConnection>(
        this IHealthChecksBuilder builder,
        string name,
        Func<IServiceProvider, ConnectionPool<TConnection>> pool,
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null,
        TimeSpan? timeout = null,
        TimeSpan? degradedWindow = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(pool);
        return AddCheck(
            builder,
            name,
            pool,
            provider => provider.GetService<TimeProvider>() ?? TimeProvider.System,
            failureStatus,
            tags,
            timeout,
            degradedWindow);
    }

    private static IHealthChecksBuilder AddCheck<TConnection>(
        IHealthChecksBuilder builder,
        string name,
        Func<IServiceProvider, ConnectionPool<TConnection>> pool,
        Func<IServiceProvider, TimeProvider> time,
        HealthStatus? failureStatus,
        IEnumerable<string>? tags,
        TimeSpan? timeout,
        TimeSpan? degradedWindow)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var window = degradedWindow ?? ConnectionPoolHealthCheck.DefaultDegradedWindow;
        ConnectionPoolHealthCheck.CheckWindow(window, nameof(degradedWindow));

        // The check remembers the counters it saw last, so it must outlive one run: one instance per
        // container and check name (the health check service resolves checks anew on every run).
        var key = new CheckKey(name);
        builder.Services.AddKeyedSingleton(key, (provider, _) =>
        {
            var target = pool(provider);
            return new ConnectionPoolHealthCheck(target.Name, target.GetStatistics, time(provider), window);
        });
        return builder.Add(new HealthCheckRegistration(
            name,
            provider => provider.GetRequiredKeyedService<ConnectionPoolHealthCheck>(key),
            failureStatus,
            tags,
            timeout));
    }

    /// <summary>A service key no user registration can collide with.</summary>
    private sealed record CheckKey(string Name);
}
