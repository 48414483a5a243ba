using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Pool.Extensions.DependencyInjection.Internal;

/// <summary>
/// Gives a registered pool the container's services for the settings its configuration left at their
/// defaults. Run as a PostConfigure, after every Configure and binding, so it fills in what is unset
/// whatever order the user configured things in.
/// </summary>
internal static class ContainerDefaults
{
    private static readonly string DefaultName = new ConnectionPoolOptions().Name;

    public static void Apply(ConnectionPoolOptions options, IServiceProvider services, string name)
    {
        if (string.Equals(options.Name, DefaultName, StringComparison.Ordinal))
        {
            options.Name = name;
        }

        // TimeProvider.System is the default; a container that registers a TimeProvider (a test's fake
        // clock, say) means it for everything it builds.
        if (ReferenceEquals(options.TimeProvider, TimeProvider.System) && services.GetService<TimeProvider>() is { } time)
        {
            options.TimeProvider = time;
        }

        options.LoggerFactory ??= services.GetService<ILoggerFactory>();
        options.MeterFactory ??= services.GetService<IMeterFactory>();
    }
}
