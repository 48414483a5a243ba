namespace Pool.Tests.Extensions.Qdrant;

/// <summary>
/// <c>Pool.Qdrant</c> alone needs no dependency injection: its registration lives in
/// <c>Pool.Qdrant.Extensions.DependencyInjection</c>, so a user who builds pools by hand pulls in no
/// DI, Options, Configuration or HealthChecks assemblies.
/// </summary>
public sealed class QdrantPackageDependencyTests
{
    [Fact]
    public void PoolQdrant_ReferencesPoolQdrantClientAndItsGrpcStack_AndNoDependencyInjection()
    {
        var referenced = typeof(QdrantClientPool).Assembly.GetReferencedAssemblies()
            .Select(assembly => assembly.Name!)
            .Where(name => !name.StartsWith("System", StringComparison.Ordinal) && name != "netstandard")
            .Order(StringComparer.Ordinal);

        Assert.Equal(["Grpc.Core.Api", "Grpc.Net.Client", "Microsoft.Extensions.Logging.Abstractions", "Pool", "Qdrant.Client"], referenced);
    }

    [Fact]
    public void TheRegistration_LivesInItsOwnAssembly()
    {
        Assert.Equal(
            "Pool.Qdrant.Extensions.DependencyInjection",
            typeof(Microsoft.Extensions.DependencyInjection.QdrantServiceCollectionExtensions).Assembly.GetName().Name);
    }
}
