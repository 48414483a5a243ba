namespace Pool.Tests.Extensions.Qdrant;

/// <summary>
/// <see cref="QdrantPoolOptions.Validate"/>: the public check the registration's start-up validation
/// is built on, the same rules as the pool's constructor.
/// </summary>
public sealed class QdrantOptionsValidateTests
{
    [Fact]
    public void Validate_OfTheDefaults_FindsNothing()
    {
        Assert.Empty(new QdrantPoolOptions().Validate());
    }

    [Fact]
    public void Validate_ListsTheBindingsProblemsThenThePoolsPrefixed_WithoutTheApiKey()
    {
        var options = new QdrantPoolOptions
        {
            Address = new Uri("http://qdrant.internal:6334/path"),
            ApiKey = " SECRET",
            ConnectTimeout = TimeSpan.Zero,
            Pool = { MaxSize = 0, MinSize = 0 }, // MinSize too: the binding's 3 would be a second problem
        };

        var problems = options.Validate();

        Assert.Equal(
            [
                "Address \"http://qdrant.internal:6334/path\" has a path, query or fragment; it must be an absolute http or https URI with a host and no path, query or user info, such as http://localhost:6334.",
                "ApiKey (length 7, value not shown) is not a valid header value; it must be null or non-empty printable ASCII without leading or trailing spaces.",
                "ConnectTimeout is 00:00:00; it must be greater than zero and at most 49.17:02:47.2940000 (there is no infinite setting).",
                "Pool.MaxSize is 0; it must be at least 1.",
            ],
            problems);
        Assert.All(problems, problem => Assert.DoesNotContain("SECRET", problem, StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_WithoutAPool_SaysSo()
    {
        var problems = new QdrantPoolOptions { Pool = null! }.Validate();

        Assert.Equal(["Pool is null; it must be a ConnectionPoolOptions (its own settings are checked by the pool)."], problems);
    }
}
