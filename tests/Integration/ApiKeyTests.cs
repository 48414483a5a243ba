namespace Pool.Tests.Integration;

public sealed class ApiKeyTests : StandInPerTest
{
    private const string Key = "s3cret-key";
    protected override void Arrange(QdrantStandInFaults faults) => faults.RequiredApiKey = Key;

    [Fact]
    public async Task The_right_key_is_accepted()
    {
        await using var pool = Pools.For(StandIn, configure: o => o.ApiKey = Key);
        var collections = await pool.RunAsync((c, ct) => c.ListCollectionsAsync(ct));
        Assert.Empty(collections);
        Assert.Equal(1, StandIn.CallCount("qdrant.Collections/List"));
    }

    [Theory]
    [InlineData("wrong-key", "Invalid api-key")]
    [InlineData(null, "Must provide an API key or an Authorization bearer token")]
    public async Task A_wrong_or_missing_key_is_rejected_without_evicting_the_client(string? key, string message)
    {
        await using var pool = Pools.For(StandIn, configure: o => o.ApiKey = key);
        for (int i = 0; i < 3; i++)
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => pool.RunAsync((c, ct) => c.ListCollectionsAsync(ct)));
            Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
            Assert.Equal(message, error.Status.Detail);
            Assert.DoesNotContain(key ?? Key, error.ToString(), StringComparison.Ordinal);
        }

        // The health probe needs no key, so the client was created; Unauthenticated is Qdrant's
        // answer, not a broken connection, so the one client served all three calls.
        var stats = pool.GetStatistics();
        Assert.Equal(1, stats.Created);
        Assert.Equal(0, stats.Destroyed);
        Assert.Equal(1, StandIn.OpenConnections);
    }
}
