using System.Globalization;
using Pool.Qdrant.Internal;

namespace Pool.Qdrant;

/// <summary>Finds every problem with a <see cref="QdrantPoolOptions"/>, each naming the setting and its allowed range.</summary>
internal static class QdrantPoolOptionsValidation
{
    private static readonly TimeSpan OneSecond = TimeSpan.FromSeconds(1);

    public static List<string> FindProblems(QdrantPoolOptions options)
    {
        var problems = new List<string>();
        CheckAddress(options.Address, problems);
        CheckApiKey(options.ApiKey, problems);
        CheckThumbprint(options, problems);
        HeaderRules.Check(options.Headers, problems);
        CheckMessageSize(nameof(options.MaxSendMessageSize), options.MaxSendMessageSize, "no limit", problems);
        CheckMessageSize(nameof(options.MaxReceiveMessageSize), options.MaxReceiveMessageSize, "gRPC's 4 MB", problems);
        CheckCompression(options.RequestCompression, problems);

        CheckDeadline(nameof(options.GrpcTimeout), options.GrpcTimeout, problems);
        CheckDeadline(nameof(options.HealthCheckTimeout), options.HealthCheckTimeout, problems);
        CheckDeadline(nameof(options.ConnectTimeout), options.ConnectTimeout, problems);
        CheckDeadline(nameof(options.MaxReconnectBackoff), options.MaxReconnectBackoff, problems);
        CheckPing(nameof(options.KeepAlivePingDelay), options.KeepAlivePingDelay, problems);
        CheckPing(nameof(options.KeepAlivePingTimeout), options.KeepAlivePingTimeout, problems);

        if (options.Pool is null)
        {
            problems.Add("Pool is null; it must be a ConnectionPoolOptions (its own settings are checked by the pool).");
        }

        return problems;
    }

    private static void CheckAddress(Uri? address, List<string> problems)
    {
        const string Rule = "it must be an absolute http or https URI with a host and no path, query or user info, such as http://localhost:6334.";
        if (address is null)
        {
            problems.Add("Address is null; " + Rule);
            return;
        }

        string shown = QdrantPoolOptions.SafeAddress(address);
        if (!address.IsAbsoluteUri)
        {
            problems.Add($"Address is \"{shown}\", a relative URI; " + Rule);
            return;
        }

        if (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps)
        {
            problems.Add($"Address has the scheme \"{address.Scheme}\"; " + Rule);
        }

        if (string.IsNullOrEmpty(address.Host))
        {
            problems.Add($"Address \"{shown}\" has no host; " + Rule);
        }

        if (address.AbsolutePath != "/" || address.Query.Length > 0 || address.Fragment.Length > 0)
        {
            problems.Add($"Address \"{shown}\" has a path, query or fragment; " + Rule);
        }

        if (address.UserInfo.Length > 0)
        {
            problems.Add($"Address \"{shown}\" carries user info; put credentials in ApiKey instead. " + Rule);
        }
    }

    // The key itself is never quoted: messages end up in logs.
    private static void CheckApiKey(string? apiKey, List<string> problems)
    {
        if (apiKey is null)
        {
            return;
        }

        if (apiKey.Length == 0 || apiKey.Trim().Length != apiKey.Length || !apiKey.All(c => c is >= '!' and <= '~' or ' '))
        {
            problems.Add($"ApiKey (length {apiKey.Length}, value not shown) is not a valid header value; it must be null or non-empty printable ASCII without leading or trailing spaces.");
        }
    }

    private static void CheckThumbprint(QdrantPoolOptions options, List<string> problems)
    {
        if (options.CertificateThumbprint is null)
        {
            return;
        }

        if (Thumbprint.Normalize(options.CertificateThumbprint) is null)
        {
            problems.Add($"CertificateThumbprint is \"{options.CertificateThumbprint}\"; it must be a SHA-256 thumbprint: 64 hex digits in any case (colons, hyphens and spaces between them are ignored), or null.");
        }

        if (options.Address is { IsAbsoluteUri: true } address && address.Scheme != Uri.UriSchemeHttps)
        {
            problems.Add($"CertificateThumbprint is set but Address uses {address.Scheme}; pinning needs an https Address.");
        }
    }

    private static void CheckMessageSize(string name, int? bytes, string nullMeans, List<string> problems)
    {
        if (bytes is < 1)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"{name} is {bytes}; it must be at least 1 (bytes), or null for {nullMeans}."));
        }
    }

    private static void CheckCompression(string? encoding, List<string> problems)
    {
        if (encoding is not null && encoding != "gzip")
        {
            problems.Add($"RequestCompression is \"{encoding}\"; it must be null (no compression) or \"gzip\".");
        }
    }

    private static void CheckDeadline(string name, TimeSpan value, List<string> problems)
    {
        if (value <= TimeSpan.Zero || value > ConnectionPoolOptions.MaxTimeout)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture,
                $"{name} is {Show(value)}; it must be greater than zero and at most {ConnectionPoolOptions.MaxTimeout} (there is no infinite setting)."));
        }
    }

    // SocketsHttpHandler refuses ping settings under one second (other than infinite).
    private static void CheckPing(string name, TimeSpan value, List<string> problems)
    {
        if (value != Timeout.InfiniteTimeSpan && (value < OneSecond || value > ConnectionPoolOptions.MaxTimeout))
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture,
                $"{name} is {Show(value)}; it must be at least 1 second and at most {ConnectionPoolOptions.MaxTimeout}, or Timeout.InfiniteTimeSpan."));
        }
    }

    private static string Show(TimeSpan value) =>
        value == Timeout.InfiniteTimeSpan ? "Timeout.InfiniteTimeSpan" : value.ToString("c", CultureInfo.InvariantCulture);
}
