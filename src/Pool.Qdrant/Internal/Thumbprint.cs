using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Pool.Qdrant.Internal;

/// <summary>
/// SHA-256 certificate thumbprints, as pinned by <see cref="QdrantPoolOptions.CertificateThumbprint"/>,
/// with Qdrant.Client's rule: the text may separate the digits with colons or hyphens (we also take
/// spaces) in any case, and the pin matches the server's certificate or any certificate of its chain.
/// </summary>
internal static class Thumbprint
{
    /// <summary>Upper-case hex without separators, or null if the text is not 64 hex digits.</summary>
    public static string? Normalize(string text)
    {
        var digits = new string([.. text.Where(c => c is not (':' or '-' or ' '))]);
        return digits.Length == 64 && digits.All(char.IsAsciiHexDigit) ? digits.ToUpperInvariant() : null;
    }

    /// <summary>The SHA-256 thumbprint of a certificate, upper-case hex.</summary>
    public static string Of(X509Certificate certificate) => certificate.GetCertHashString(HashAlgorithmName.SHA256);

    /// <summary>Whether the pinned thumbprint is the leaf's or that of a certificate in its chain (an intermediate, the CA).</summary>
    public static bool Matches(X509Certificate? leaf, X509Chain? chain, string normalized)
    {
        if (leaf is not null && string.Equals(Of(leaf), normalized, StringComparison.Ordinal))
        {
            return true;
        }

        return chain is not null && chain.ChainElements.Any(element => string.Equals(Of(element.Certificate), normalized, StringComparison.Ordinal));
    }

    /// <summary>A TLS callback that accepts a server whose certificate or chain holds the pinned certificate.</summary>
    public static RemoteCertificateValidationCallback Pin(string normalized) =>
        (_, certificate, chain, _) => Matches(certificate, chain, normalized);
}
