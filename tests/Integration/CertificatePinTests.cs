using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Pool.Qdrant.Internal;

namespace Pool.Tests.Integration;

/// <summary>
/// The pin follows Qdrant.Client's rule: the thumbprint in the forms its docs print (colons, hyphens,
/// any case), matched against the server's certificate or any certificate of its chain. The stand-in
/// serves a self-signed certificate (no chain), so the chain case is checked on the matcher itself.
/// </summary>
public sealed class CertificatePinTests() : StandInPerTest(new QdrantStandInOptions { UseTls = true })
{
    [Theory]
    [InlineData("-", false)]
    [InlineData("-", true)]
    [InlineData(":", false)]
    [InlineData(" ", true)]
    [InlineData("", true)]
    public async Task The_thumbprint_is_accepted_with_hyphens_colons_or_spaces_in_any_case(string separator, bool lowerCase)
    {
        string hex = lowerCase ? StandIn.CertificateThumbprint!.ToLowerInvariant() : StandIn.CertificateThumbprint!;
        string pin = string.Join(separator, hex.Chunk(2).Select(c => new string(c)));
        await using var pool = Pools.For(StandIn, configure: o => o.CertificateThumbprint = pin);
        var health = await pool.RunAsync((c, ct) => c.HealthAsync(ct));
        Assert.Equal("qdrant - vector search engine", health.Title);
    }

    [Fact]
    public async Task ConfigureHandler_can_trust_a_certificate_itself_and_runs_once_per_channel()
    {
        int calls = 0;
        string expected = StandIn.CertificateThumbprint!;
        await using var pool = Pools.For(StandIn, configure: o => o.ConfigureHandler = handler =>
        {
            Interlocked.Increment(ref calls);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                certificate is not null && certificate.GetCertHashString(HashAlgorithmName.SHA256) == expected;
        });
        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => pool.RunAsync((c, ct) => c.HealthAsync(ct))));

        // A create started for a caller that another client served may still be finishing.
        await Waits.UntilAsync(() => pool.GetStatistics().Creating == 0, () => "a create is still running");
        Assert.Equal(pool.GetStatistics().Created, Volatile.Read(ref calls));
        Assert.Equal(0, pool.GetStatistics().CreateFailures);
    }

    [Fact]
    public void A_pin_matches_the_CA_in_the_chain_as_well_as_the_leaf_and_nothing_else()
    {
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=Pool test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));

        using var leafKey = RSA.Create(2048);
        var leafRequest = new CertificateRequest("CN=127.0.0.1", leafKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var leaf = leafRequest.Create(ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(12), [1, 2, 3, 4]);
        using var other = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));

        using var chain = new X509Chain();
        chain.ChainPolicy.ExtraStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.AllowUnknownCertificateAuthority;
        Assert.True(chain.Build(leaf));
        Assert.Equal(2, chain.ChainElements.Count);

        string caPin = Thumbprint.Normalize(string.Join('-', Thumbprint.Of(ca).ToLowerInvariant().Chunk(2).Select(c => new string(c))))!;
        Assert.True(Thumbprint.Matches(leaf, chain, caPin));
        Assert.True(Thumbprint.Matches(leaf, chain, Thumbprint.Of(leaf)));
        Assert.True(Thumbprint.Matches(leaf, null, Thumbprint.Of(leaf)));
        Assert.False(Thumbprint.Matches(leaf, null, caPin));
        Assert.False(Thumbprint.Matches(leaf, chain, Thumbprint.Of(other)));
        Assert.False(Thumbprint.Matches(null, null, caPin));
        Assert.True(Thumbprint.Pin(caPin)(this, leaf, chain, SslPolicyErrors.RemoteCertificateChainErrors));
    }

    [Theory]
    [InlineData("AB")]
    [InlineData("zz:")]
    public void A_thumbprint_that_is_not_64_hex_digits_is_named_with_the_formats_allowed(string pin)
    {
        var problems = new QdrantPoolOptions { Address = new Uri("https://localhost:6334"), CertificateThumbprint = pin }.Validate();
        Assert.Equal(
            $"CertificateThumbprint is \"{pin}\"; it must be a SHA-256 thumbprint: 64 hex digits in any case (colons, hyphens and spaces between them are ignored), or null.",
            Assert.Single(problems));
        Assert.Null(Thumbprint.Normalize(new string('a', 63) + "g"));
    }
}
