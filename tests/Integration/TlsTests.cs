using System.Security.Authentication;

namespace Pool.Tests.Integration;

public sealed class TlsTests() : StandInPerTest(new QdrantStandInOptions { UseTls = true })
{
    [Fact]
    public async Task The_pinned_thumbprint_of_the_self_signed_certificate_is_accepted()
    {
        Assert.Equal("https", StandIn.Address.Scheme);

        // Lower case with colons, as certificate tools print it: the same pin.
        string pin = string.Join(':', StandIn.CertificateThumbprint!.ToLowerInvariant().Chunk(2).Select(c => new string(c)));
        await using var pool = Pools.For(StandIn, configure: o => o.CertificateThumbprint = pin);
        var health = await pool.RunAsync((c, ct) => c.HealthAsync(ct));
        Assert.Equal("qdrant - vector search engine", health.Title);
        Assert.Equal(1, StandIn.OpenConnections);
    }

    [Fact]
    public async Task A_different_thumbprint_is_rejected_and_no_client_is_created()
    {
        await using var pool = Pools.For(StandIn, configure: o => o.CertificateThumbprint = new string('A', 64));
        await AssertCreateFailsAsync(pool);
    }

    [Fact]
    public async Task Without_a_pin_the_self_signed_certificate_is_rejected()
    {
        await using var pool = Pools.For(StandIn);
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
        Assert.Equal(0, StandIn.CallCount("qdrant.Qdrant/HealthCheck"));
        await Waits.UntilAsync(() => StandIn.OpenConnections == 0, () => $"{StandIn.OpenConnections} connections left open");
    }
}
