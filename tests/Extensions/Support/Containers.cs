namespace Pool.Tests.Extensions.Support;

/// <summary>The service collections registration tests start from, before they add their pools.</summary>
internal static class Containers
{
    /// <summary>
    /// Services whose clock is <paramref name="clock"/>, with logging: what a pool left at its defaults
    /// takes from the container.
    /// </summary>
    public static ServiceCollection OnClock(TimeProvider clock)
    {
        var services = new ServiceCollection();
        services.AddSingleton(clock);
        services.AddLogging();
        return services;
    }

    /// <summary>Services whose <see cref="IConfiguration"/> holds <paramref name="values"/> (the settings a pool binds).</summary>
    public static ServiceCollection Configured(Dictionary<string, string?> values)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        return services;
    }
}
