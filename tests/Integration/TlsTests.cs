using System.Security.Authentication;

namespace Pool.Tests.Integration;

public sealed class TlsTests : IAsyncLifetime
{
    private QdrantStandIn _standIn = null!;

    public async Task InitializeAsync() => _standIn = await QdrantStandIn.StartAsync(new QdrantStandInOptions { UseTls = true });

    public async Task DisposeAsync() => await _standIn.DisposeAsync();

    [Fact]
    public async Task The_pinned_thumbprint_of_the_self_signed_certificate_is_accepted()
    {
        Assert.Equal("https", _standIn.Address.Scheme);

        // Lower case with colons, as certificate tools print it: the same pin.
        string pin = string.Join(':', _standIn.CertificateThumbprint!.ToLowerInvariant().Chunk(2).Select(c => new string(c)));
        await using var pool = Pools.For(_standIn, configure: o => o.CertificateThumbprint = pin);
        var health = await pool.RunAsync((c, ct) => c.HealthAsync(ct));
        Assert.Equal("qdrant - vector search engine", health.Title);
        Assert.Equal(1, _standIn.OpenConnections);
    }

    [Fact]
    public async Task A_different_thumbprint_is_rejected_and_no_client_is_created()
    {
        await using var pool = Pools.For(_standIn, configure: o => o.CertificateThumbprint = new string('A', 64));
        await AssertCreateFailsAsync(pool);
    }

    [Fact]
    public async Task Without_a_pin_the_self_signed_certificate_is_rejected()
    {
        await using var pool = Pools.For(_standIn);
        await AssertCreateFailsAsync(pool);
    }

    private static IEnumerable<Exception> Causes(Exception? error)
    {
        for (; error is not null; error = error.InnerException)
        {
            yield return error;
        }
    }

    private async Task AssertCreateFailsAsync(Pool.Qdrant.QdrantClientPool pool)
    {
        var error = await Assert.ThrowsAsync<ConnectionCreateException>(() => pool.RunAsync((c, ct) => c.HealthAsync(ct)));
        var rpc = Assert.IsType<RpcException>(error.InnerException);
        Assert.Equal(StatusCode.Internal, rpc.StatusCode);
        Assert.Contains(Causes(rpc.Status.DebugException), e => e is AuthenticationException);
        Assert.Equal(0, pool.GetStatistics().Created);
        Assert.Equal(1, pool.GetStatistics().CreateFailures);
        Assert.Equal(0, pool.Factory.LiveClients);
        Assert.Equal(0, _standIn.CallCount("qdrant.Qdrant/HealthCheck"));
        await Waits.UntilAsync(() => _standIn.OpenConnections == 0, () => $"{_standIn.OpenConnections} connections left open");
    }
}
