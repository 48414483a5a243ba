using System.Data.Common;

namespace Pool.Qdrant.Internal;

/// <summary>
/// Reads the connection string Aspire's Qdrant integration hands an app: <c>Endpoint=...;Key=...</c>
/// (keys in any case, parsed like any ADO.NET connection string) or the endpoint URI alone.
/// </summary>
internal static class AspireConnectionString
{
    private const string Format = "expected \"Endpoint=http://host:6334;Key=<api key>\" (Key optional, keys in any case) or an absolute URI such as http://host:6334";

    // Messages never quote the string: its Key is the api key.
    public static (Uri Endpoint, string? Key) Parse(string connectionString, string paramName)
    {
        ArgumentNullException.ThrowIfNull(connectionString, paramName);
        if (Uri.TryCreate(connectionString, UriKind.Absolute, out var bare) && bare.Scheme is "http" or "https")
        {
            return (bare, null);
        }

        var builder = new DbConnectionStringBuilder();
        try
        {
            builder.ConnectionString = connectionString;
        }
        catch (ArgumentException)
        {
            throw new ArgumentException($"The Qdrant connection string (length {connectionString.Length}, value not shown) is not a connection string; {Format}.", paramName);
        }

        if (!builder.TryGetValue("Endpoint", out object? endpointValue) || endpointValue?.ToString() is not { Length: > 0 } endpointText)
        {
            throw new ArgumentException($"The Qdrant connection string (length {connectionString.Length}, value not shown) has no Endpoint; {Format}.", paramName);
        }

        if (!Uri.TryCreate(endpointText, UriKind.Absolute, out var endpoint))
        {
            throw new ArgumentException($"The Endpoint of the Qdrant connection string is not an absolute URI; {Format}.", paramName);
        }

        string? key = builder.TryGetValue("Key", out object? keyValue) && keyValue?.ToString() is { Length: > 0 } text ? text : null;
        return (endpoint, key);
    }
}
