using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Pool;
using Pool.Extensions.DependencyInjection.Internal;
using Pool.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Configures a pool registered with <see cref="ConnectionPoolServiceCollectionExtensions"/>.</summary>
public static class ConnectionPoolBuilderExtensions
{
    /// <summary>
    /// Binds the pool's options to the configuration section at <paramref name="configSectionPath"/>
    /// (for example <c>"Pools:Orders"</c>), over whatever was configured before. Durations are
    /// <see cref="TimeSpan"/> strings (<c>"00:00:05"</c>; <c>"-00:00:00.001"</c> is infinite). A key that
    /// names no setting fails the binding, so a misspelt setting stops the host instead of being ignored;
    /// turn that off with <paramref name="configureBinder"/>. Validation messages name the section.
    /// </summary>
    /// <typeparam name="TConnection">The connection type.</typeparam>
    /// <param name="builder">The pool's builder.</param>
    /// <param name="configSectionPath">The section's path, with <c>:</c> between levels.</param>
    /// <param name="configureBinder">Changes the binder options (by default <see cref="BinderOptions.ErrorOnUnknownConfiguration"/> is on).</param>
    /// <returns>The same builder.</returns>
    [RequiresDynamicCode("Binding options from configuration uses reflection and may need code generated at run time.")]
    [RequiresUnreferencedCode("Binding options from configuration uses reflection over ConnectionPoolOptions.")]
    public static IConnectionPoolBuilder<TConnection> BindConfiguration<TConnection>(
        this IConnectionPoolBuilder<TConnection> builder, string configSectionPath, Action<BinderOptions>? configureBinder = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(configSectionPath);
        builder.Services.AddOptions<ConnectionPoolOptions>(builder.Name).BindConfiguration(configSectionPath, binder =>
        {
            binder.ErrorOnUnknownConfiguration = true;
            configureBinder?.Invoke(binder);
        });
        if (builder is ConnectionPoolBuilder<TConnection> own)
        {
            own.Validator.ConfigurationPath = configSectionPath;
        }

        return builder;
    }

    /// <summary>Sets the pool's options, over whatever was configured before.</summary>
    /// <typeparam name="TConnection">The connection type.</typeparam>
    /// <param name="builder">The pool's builder.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The same builder.</returns>
    public static IConnectionPoolBuilder<TConnection> Configure<TConnection>(this IConnectionPoolBuilder<TConnection> builder, Action<ConnectionPoolOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddOptions<ConnectionPoolOptions>(builder.Name).Configure(configure);
        return builder;
    }

    /// <summary>Sets the pool's options from the container's services, over whatever was configured before.</summary>
    /// <typeparam name="TConnection">The connection type.</typeparam>
    /// <param name="builder">The pool's builder.</param>
    /// <param name="configure">Sets the options; receives the container.</param>
    /// <returns>The same builder.</returns>
    public static IConnectionPoolBuilder<TConnection> Configure<TConnection>(this IConnectionPoolBuilder<TConnection> builder, Action<ConnectionPoolOptions, IServiceProvider> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddOptions<ConnectionPoolOptions>(builder.Name).Configure<IServiceProvider>(configure);
        return builder;
    }

    /// <summary>
    /// Adds the pool's health check (see <see cref="ConnectionPoolHealthCheck"/> for the
    /// states), named after the pool unless <paramref name="name"/> is given.
    /// </summary>
    /// <typeparam name="TConnection">The connection type.</typeparam>
    /// <param name="builder">The pool's builder.</param>
    /// <param name="name">The check's name; default the pool's name.</param>
    /// <param name="failureStatus">Reported instead of Unhealthy; default <see cref="HealthStatus.Unhealthy"/>.</param>
    /// <param name="tags">Tags to filter checks by (readiness, liveness).</param>
    /// <param name="timeout">How long the check may take; default none.</param>
    /// <param name="degradedWindow">How long acquire timeouts and create failures keep the check Degraded; default <see cref="ConnectionPoolHealthCheck.DefaultDegradedWindow"/>.</param>
    /// <returns>The same builder.</returns>
    public static IConnectionPoolBuilder<TConnection> AddHealthCheck<TConnection>(
        this IConnectionPoolBuilder<TConnection> builder,
        string? name = null,
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null,
        TimeSpan? timeout = null,
        TimeSpan? degradedWindow = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddHealthChecks().AddConnectionPool<TConnection>(builder.Name, name, failureStatus, tags, timeout, degradedWindow);
        return builder;
    }
}
