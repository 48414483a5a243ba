using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Pool.HealthChecks;
using Pool.Qdrant;
using Pool;
using Pool.Qdrant.Extensions.DependencyInjection.Internal;
using Qdrant.Client;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Configures a Qdrant client pool registered with <see cref="QdrantServiceCollectionExtensions"/>.</summary>
public static class QdrantClientPoolBuilderExtensions
{
    /// <summary>
    /// Binds the pool's options to the configuration section at <paramref name="configSectionPath"/>
    /// (for example <c>"Qdrant"</c>, with <c>Address</c>, <c>ApiKey</c>, the timeouts, and the core pool's
    /// settings under <c>Pool</c>), over whatever was configured before. Durations are <see cref="TimeSpan"/>
    /// strings (<c>"00:00:05"</c>). A key that names no setting fails the binding, unless
    /// <paramref name="configureBinder"/> turns that off. Validation messages name the section.
    /// </summary>
    /// <param name="builder">The pool's builder.</param>
    /// <param name="configSectionPath">The section's path, with <c>:</c> between levels.</param>
    /// <param name="configureBinder">Changes the binder options (by default <see cref="BinderOptions.ErrorOnUnknownConfiguration"/> is on).</param>
    /// <returns>The same builder.</returns>
    [RequiresDynamicCode("Binding options from configuration uses reflection and may need code generated at run time.")]
    [RequiresUnreferencedCode("Binding options from configuration uses reflection over QdrantPoolOptions.")]
    public static IQdrantClientPoolBuilder BindConfiguration(this IQdrantClientPoolBuilder builder, string configSectionPath, Action<BinderOptions>? configureBinder = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(configSectionPath);
        builder.Services.AddOptions<QdrantPoolOptions>(builder.Name).BindConfiguration(configSectionPath, binder =>
        {
            binder.ErrorOnUnknownConfiguration = true;
            configureBinder?.Invoke(binder);
        });
        if (builder is QdrantClientPoolBuilder own)
        {
            own.Validator.ConfigurationPath = configSectionPath;
        }

        return builder;
    }

    /// <summary>
    /// Reads the connection string <c>ConnectionStrings:&lt;connectionName&gt;</c> from the container's
    /// <see cref="IConfiguration"/>, as Aspire's Qdrant integration does, and takes the pool's
    /// <see cref="QdrantPoolOptions.Address"/> and <see cref="QdrantPoolOptions.ApiKey"/> from it, over whatever
    /// was configured before (<see cref="QdrantPoolOptions.UseConnectionString"/>): <c>Endpoint=http://host:6334;Key=...</c>
    /// or the endpoint URI alone. Without that connection string nothing changes. A malformed one fails when the
    /// options are first read (at start, with start-up validation), naming the connection string, never quoting it.
    /// </summary>
    /// <param name="builder">The pool's builder.</param>
    /// <param name="connectionName">The name under <c>ConnectionStrings</c>; default the pool's name.</param>
    /// <returns>The same builder.</returns>
    public static IQdrantClientPoolBuilder BindConnectionString(this IQdrantClientPoolBuilder builder, string? connectionName = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (connectionName is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(connectionName);
        }

        string name = connectionName ?? builder.Name;
        string pool = builder.Name;
        builder.Services.AddOptions<QdrantPoolOptions>(pool).Configure<IConfiguration>((options, configuration) =>
        {
            if (configuration.GetConnectionString(name) is not { } connectionString)
            {
                return;
            }

            try
            {
                options.UseConnectionString(connectionString);
            }
            catch (ArgumentException error)
            {
                throw new InvalidOperationException($"Qdrant client pool '{pool}' (connection string 'ConnectionStrings:{name}'): {error.Message.Split(" (Parameter")[0]}", error);
            }
        });
        return builder;
    }

    /// <summary>Sets the pool's options, over whatever was configured before.</summary>
    /// <param name="builder">The pool's builder.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The same builder.</returns>
    public static IQdrantClientPoolBuilder Configure(this IQdrantClientPoolBuilder builder, Action<QdrantPoolOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddOptions<QdrantPoolOptions>(builder.Name).Configure(configure);
        return builder;
    }

    /// <summary>
    /// Adds the pool's health check (the states are those of <see cref="ConnectionPoolHealthCheck"/>),
    /// named after the pool unless <paramref name="name"/> is given. Without <paramref name="probeInterval"/>
    /// it reads the pool's statistics and sends Qdrant nothing. With it, the check also asks Qdrant for its
    /// health through the drop-in client (one Health RPC, at most once per interval, its answer cached in
    /// between and shared by concurrent checks, each probe bounded by <paramref name="probeTimeout"/>) and
    /// reports Unhealthy (or <paramref name="failureStatus"/>) when Qdrant does not answer, even before the
    /// app sent any call; the data then holds <c>QdrantAnswered</c>. Both measure time on the container's
    /// <see cref="TimeProvider"/>, or the system clock.
    /// </summary>
    /// <param name="builder">The pool's builder.</param>
    /// <param name="name">The check's name; default the pool's name.</param>
    /// <param name="failureStatus">Reported instead of Unhealthy; default <see cref="HealthStatus.Unhealthy"/>.</param>
    /// <param name="tags">Tags to filter checks by.</param>
    /// <param name="timeout">How long the check may take; default none.</param>
    /// <param name="degradedWindow">How long acquire timeouts and create failures keep the check Degraded; default <see cref="ConnectionPoolHealthCheck.DefaultDegradedWindow"/>.</param>
    /// <param name="probeInterval">How long a probe's answer is reused; null (the default) for no probe. <value>Greater than zero and at most <see cref="ConnectionPoolOptions.MaxTimeout"/>.</value></param>
    /// <param name="probeTimeout">How long a probe may take before it counts as no answer; default <see cref="DefaultProbeTimeout"/>. <value>Greater than zero and at most <see cref="ConnectionPoolOptions.MaxTimeout"/>.</value></param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="probeInterval"/> or <paramref name="probeTimeout"/> is out of range.</exception>
    public static IQdrantClientPoolBuilder AddHealthCheck(
        this IQdrantClientPoolBuilder builder,
        string? name = null,
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null,
        TimeSpan? timeout = null,
        TimeSpan? degradedWindow = null,
        TimeSpan? probeInterval = null,
        TimeSpan? probeTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        string pool = builder.Name;
        if (probeInterval is not { } interval)
        {
            builder.Services.AddHealthChecks().AddConnectionPool<QdrantClient>(
                name ?? pool,
                provider => provider.GetRequiredKeyedService<QdrantClientPool>(pool).Pool,
                failureStatus,
                tags,
                timeout,
                degradedWindow);
            return builder;
        }

        var probeDeadline = probeTimeout ?? DefaultProbeTimeout;
        CheckProbeSetting(interval, nameof(probeInterval));
        CheckProbeSetting(probeDeadline, nameof(probeTimeout));
        var window = degradedWindow ?? ConnectionPoolHealthCheck.DefaultDegradedWindow;
        string checkName = name ?? pool;

        // The check remembers its last probe and the counters it saw, so it must outlive one run (the
        // health check service resolves checks anew on every run): one instance per container and name.
        var key = new ProbeCheckKey(checkName);
        builder.Services.AddKeyedSingleton(key, (provider, _) =>
        {
            var target = provider.GetRequiredKeyedService<QdrantClientPool>(pool);
            var time = provider.GetService<TimeProvider>() ?? TimeProvider.System;
            var statistics = new ConnectionPoolHealthCheck(target.Pool.Name, target.GetStatistics, time, window);
            return new QdrantProbeHealthCheck(target, statistics, time, interval, probeDeadline);
        });
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            checkName,
            provider => provider.GetRequiredKeyedService<QdrantProbeHealthCheck>(key),
            failureStatus,
            tags,
            timeout));
        return builder;
    }

    /// <summary>The default bound of one active health probe: 2 seconds.</summary>
    public static readonly TimeSpan DefaultProbeTimeout = TimeSpan.FromSeconds(2);

    private static void CheckProbeSetting(TimeSpan value, string paramName)
    {
        if (value <= TimeSpan.Zero || value > ConnectionPoolOptions.MaxTimeout)
        {
            throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must be greater than zero and at most {ConnectionPoolOptions.MaxTimeout}.");
        }
    }

    /// <summary>A service key no user registration can collide with.</summary>
    private sealed record ProbeCheckKey(string Name);
}
