namespace Pool.Qdrant.Internal;

/// <summary>
/// Which custom headers <see cref="QdrantPoolOptions.Headers"/> may carry: gRPC metadata that
/// grpc-dotnet sends as is, and none that the pool, gRPC or HTTP/2 set themselves.
/// </summary>
internal static class HeaderRules
{
    private const string Rule =
        "a name is letters, digits, '-', '_' or '.', not api-key (use ApiKey), not starting with grpc-, not ending with -bin, "
        + "and not content-type, te, user-agent, host or connection; a value is printable ASCII without leading or trailing spaces.";

    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase) { "api-key", "content-type", "te", "user-agent", "host", "connection" };

    // Values are never quoted: a header may carry a token.
    public static void Check(IDictionary<string, string>? headers, List<string> problems)
    {
        if (headers is null)
        {
            return;
        }

        foreach (var (name, value) in headers)
        {
            if (!IsAllowedName(name))
            {
                problems.Add($"Headers has the name \"{name}\", which cannot be sent; {Rule}");
            }

            if (value is null || value.Trim().Length != value.Length || !value.All(c => c is >= ' ' and <= '~'))
            {
                problems.Add($"Headers[\"{name}\"] (length {value?.Length ?? 0}, value not shown) is not a valid header value; {Rule}");
            }
        }
    }

    private static bool IsAllowedName(string name) =>
        name.Length > 0
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
        && !Reserved.Contains(name)
        && !name.StartsWith("grpc-", StringComparison.OrdinalIgnoreCase)
        && !name.EndsWith("-bin", StringComparison.OrdinalIgnoreCase);
}
