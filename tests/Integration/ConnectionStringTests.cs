namespace Pool.Tests.Integration;

/// <summary><see cref="QdrantPoolOptions.UseConnectionString"/> reads what Aspire's Qdrant integration writes.</summary>
public sealed class ConnectionStringTests
{
    private const string Key = "TOP-SECRET-api-key-123";

    [Theory]
    [InlineData("Endpoint=http://qdrant:6334;Key=" + Key)]
    [InlineData("endpoint=http://qdrant:6334;key=" + Key)]
    [InlineData("ENDPOINT = http://qdrant:6334 ; KEY = " + Key + ";")]
    [InlineData("Key=" + Key + ";Endpoint=\"http://qdrant:6334\";Other=ignored")]
    public void Endpoint_and_Key_are_read_in_any_case_and_order(string connectionString)
    {
        var options = new QdrantPoolOptions().UseConnectionString(connectionString);
        Assert.Equal(new Uri("http://qdrant:6334"), options.Address);
        Assert.Equal(Key, options.ApiKey);
        Assert.Empty(options.Validate());
    }

    [Fact]
    public void A_bare_URI_is_the_endpoint_and_a_string_without_Key_keeps_the_api_key()
    {
        var options = new QdrantPoolOptions { ApiKey = "kept" }.UseConnectionString("https://qdrant.example:6334");
        Assert.Equal((new Uri("https://qdrant.example:6334"), "kept"), (options.Address, options.ApiKey));

        options.UseConnectionString("Endpoint=http://other:6334");
        Assert.Equal((new Uri("http://other:6334"), "kept"), (options.Address, options.ApiKey));
    }

    [Theory]
    [InlineData("Key=" + Key, "has no Endpoint")]
    [InlineData("Endpoint=;Key=" + Key, "has no Endpoint")]
    [InlineData("Endpoint=relative/path;Key=" + Key, "is not an absolute URI")]
    [InlineData("Key='" + Key, "is not a connection string")]
    [InlineData("qdrant:6334 " + Key, "is not a connection string")]
    public void A_bad_connection_string_says_what_is_wrong_and_never_shows_the_key(string connectionString, string problem)
    {
        var error = Assert.Throws<ArgumentException>(() => new QdrantPoolOptions().UseConnectionString(connectionString));
        Assert.Equal("connectionString", error.ParamName);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.Contains("expected \"Endpoint=http://host:6334;Key=<api key>\"", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_endpoint_the_pool_cannot_use_is_reported_by_validation_like_any_address()
    {
        var options = new QdrantPoolOptions().UseConnectionString("Endpoint=ftp://qdrant:6334/x;Key=" + Key);
        var problems = options.Validate();
        Assert.Contains(problems, p => p.StartsWith("Address has the scheme \"ftp\"", StringComparison.Ordinal));
        Assert.DoesNotContain(problems, p => p.Contains(Key, StringComparison.Ordinal));
    }

    [Fact]
    public void A_null_connection_string_is_refused() =>
        Assert.Equal("connectionString", Assert.Throws<ArgumentNullException>(() => new QdrantPoolOptions().UseConnectionString(null!)).ParamName);
}
