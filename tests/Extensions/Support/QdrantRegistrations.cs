namespace Pool.Tests.Extensions.Support;

/// <summary>
/// The container both Qdrant registration methods are first tested on: the method's default-name
/// overload, with its address at 127.0.0.1:1, and its named overload for "vectors", at 127.0.0.1:2.
/// Nothing connects: the addresses only tell the two pools apart.
/// </summary>
internal static class QdrantRegistrations
{
    public static ServiceProvider DefaultAndVectors(
        Func<IServiceCollection, Action<QdrantPoolOptions>, IQdrantClientPoolBuilder> addDefault,
        Func<IServiceCollection, string, Action<QdrantPoolOptions>, IQdrantClientPoolBuilder> addNamed)
    {
        var services = new ServiceCollection();
        addDefault(services, o => o.Address = new Uri("http://127.0.0.1:1"));
        addNamed(services, "vectors", o => o.Address = new Uri("http://127.0.0.1:2"));
        return services.BuildServiceProvider();
    }
}
