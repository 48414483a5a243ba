namespace Pool.Tests.Integration.Support;

/// <summary>
/// Where functional tests run: always the stand-in; also a real Qdrant when QDRANT_URL is set
/// (with QDRANT_API_KEY if it needs one). Fault injection runs on the stand-in only.
/// </summary>
internal static class Targets
{
    public const string StandIn = "stand-in";
    public const string Real = "real";

    public static Uri? RealAddress =>
        Environment.GetEnvironmentVariable("QDRANT_URL") is { Length: > 0 } url ? new Uri(url) : null;

    public static IEnumerable<string> All()
    {
        yield return StandIn;
        if (RealAddress is not null)
        {
            yield return Real;
        }
    }

    /// <summary><see cref="All"/> as xunit theory data, for <c>[MemberData]</c>.</summary>
    public static TheoryData<string> AllAsTheoryData()
    {
        var data = new TheoryData<string>();
        foreach (var target in All())
        {
            data.Add(target);
        }

        return data;
    }

    public static QdrantClientPool RealPool()
    {
        var options = Pools.Options(RealAddress!, maxSize: 4);
        options.ApiKey = Environment.GetEnvironmentVariable("QDRANT_API_KEY") is { Length: > 0 } key ? key : null;
        return new QdrantClientPool(options);
    }

    /// <summary>A collection name no other test or run uses, so a shared real server is safe.</summary>
    public static string UniqueCollection(string purpose) => $"pool-it-{purpose}-{Guid.NewGuid():N}";
}
