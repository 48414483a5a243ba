using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Pool.Qdrant.Internal;

/// <summary>SHA-256 certificate thumbprints, as pinned by <see cref="QdrantPoolOptions.CertificateThumbprint"/>.</summary>
internal static class Thumbprint
{
    /// <summary>Upper-case hex without separators, or null if the text is not 64 hex digits.</summary>
    public static string? Normalize(string text)
    {
        var digits = text.Replace(":", string.Empty, StringComparison.Ordinal).Replace(" ", string.Empty, StringComparison.Ordinal);
        return digits.Length == 64 && digits.All(char.IsAsciiHexDigit) ? digits.ToUpperInvariant() : null;
    }

    /// <summary>The SHA-256 thumbprint of a certificate, upper-case hex.</summary>
    public static string Of(X509Certificate certificate) => certificate.GetCertHashString(HashAlgorithmName.SHA256);

    /// <summary>A TLS callback that accepts exactly the certificate with this thumbprint.</summary>
    public static System.Net.Security.RemoteCertificateValidationCallback Pin(string normalized) =>
        (_, certificate, _, _) => certificate is not null && string.Equals(Of(certificate), normalized, StringComparison.Ordinal);
}
