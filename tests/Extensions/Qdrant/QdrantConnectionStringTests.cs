namespace Pool.Tests.Extensions.Qdrant;

/// <summary>
/// <c>BindConnectionString</c> reads <c>ConnectionStrings:&lt;name&gt;</c> as Aspire's Qdrant integration
/// does.
/// </summary>
public sealed class QdrantConnectionStringTests
{
    private const string Key = "TOP-SECRET-api-key";

    [Fact]
    public async Task BindConnectionString_TakesTheAddressAndKeyFromConnectionStrings_UnderThePoolsNameOrAnother()
    {
        var services = Containers.Configured(new()
        {
            ["ConnectionStrings:qdrant"] = "endpoint=https://qdrant.internal:6334;KEY=" + Key,
            ["ConnectionStrings:vectors-db"] = "http://vectors:6334",
            ["Qdrant:Address"] = "http://overridden:6334",
        });
        services.AddQdrantClientPool().BindConfiguration("Qdrant").BindConnectionString();
        services.AddQdrantClientPool("vectors", o => o.ApiKey = "kept").BindConnectionString("vectors-db");
        await using var provider = services.BuildServiceProvider();
        var monitor = provider.GetRequiredService<IOptionsMonitor<QdrantPoolOptions>>();

        Assert.Equal((new Uri("https://qdrant.internal:6334"), Key), (monitor.Get("qdrant").Address, monitor.Get("qdrant").ApiKey));
        Assert.Equal((new Uri("http://vectors:6334"), "kept"), (monitor.Get("vectors").Address, monitor.Get("vectors").ApiKey));
    }

    [Fact]
    public async Task BindConnectionString_WithoutThatConnectionString_ChangesNothing()
    {
        var services = Containers.Configured(new() { ["Qdrant:Address"] = "http://from-section:6334" });
        services.AddQdrantClientPool().BindConfiguration("Qdrant").BindConnectionString();
        await using var provider = services.BuildServiceProvider();

        Assert.Equal(new Uri("http://from-section:6334"), provider.GetRequiredService<IOptionsMonitor<QdrantPoolOptions>>().Get("qdrant").Address);
    }

    [Fact]
    public async Task AMalformedConnectionString_FailsHostStart_NamingIt_WithoutTheKey()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:qdrant"] = "Key=" + Key });
        builder.Services.AddQdrantClientPool().BindConnectionString();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.StartsWith(
            "Qdrant client pool 'qdrant' (connection string 'ConnectionStrings:qdrant'): The Qdrant connection string (length 22, value not shown) has no Endpoint; expected",
            error.Message,
            StringComparison.Ordinal);
        Assert.DoesNotContain(Key, error.Message, StringComparison.Ordinal);
        Assert.IsType<ArgumentException>(error.InnerException);
    }

    [Fact]
    public void BindConnectionString_RefusesABlankName()
    {
        var builder = new ServiceCollection().AddQdrantClientPool();
        Assert.Throws<ArgumentException>(() => builder.BindConnectionString(" "));
    }
}
