using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Pool.Qdrant.Extensions.DependencyInjection.Internal;

/// <summary>
/// Gives a registered Qdrant pool the container's services for the settings left at their
/// defaults, as <c>AddConnectionPool</c> does (and the logger factory to its clients and channels). Run as a PostConfigure, so it also covers a
/// <see cref="QdrantPoolOptions.Pool"/> the user replaced.
/// </summary>
internal static class QdrantContainerDefaults
{
    private static readonly string BindingName = new QdrantPoolOptions().Pool.Name;
    private static readonly string CoreName = new ConnectionPoolOptions().Name;

    public static void Apply(QdrantPoolOptions options, IServiceProvider services, string name)
    {
        // The client's and the channel's logs, as Aspire gives its QdrantClient the container's factory.
        options.LoggerFactory ??= services.GetService<ILoggerFactory>();
        if (options.Pool is not { } pool)
        {
            return; // The validator reports it.
        }

        if (string.Equals(pool.Name, BindingName, StringComparison.Ordinal) || string.Equals(pool.Name, CoreName, StringComparison.Ordinal))
        {
            pool.Name = name;
        }

        if (ReferenceEquals(pool.TimeProvider, TimeProvider.System) && services.GetService<TimeProvider>() is { } time)
        {
            pool.TimeProvider = time;
        }

        pool.LoggerFactory ??= services.GetService<ILoggerFactory>();
        pool.MeterFactory ??= services.GetService<IMeterFactory>();
    }
}
