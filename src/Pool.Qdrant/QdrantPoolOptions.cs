using System.Globalization;
using System.Net.Http;
using System.Text;
using Microsoft.Extensions.Logging;
using Pool.Qdrant.Internal;

namespace Pool.Qdrant;

/// <summary>
/// Settings of a <see cref="QdrantClientPool"/> and its <see cref="QdrantConnectionFactory"/>.
/// Validated once, when the pool or factory is built, with one <see cref="ArgumentException"/>
/// listing every problem; later changes to this object do not reach a running pool.
/// </summary>
/// <remarks>
/// <see cref="ToString"/> masks <see cref="ApiKey"/> and the values of <see cref="Headers"/>; no message
/// of this library contains them.
/// </remarks>
public sealed class QdrantPoolOptions
{
    /// <summary>The gRPC endpoint of Qdrant.
    /// <value>An absolute http or https URI with a host and no path, query or user info; default http://localhost:6334.</value>
    /// </summary>
    public Uri Address { get; set; } = new("http://localhost:6334");

    /// <summary>Sent as the <c>api-key</c> header on every call.
    /// <value>Null (no key) or printable ASCII without leading or trailing spaces; default null.</value>
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// Pins the server's TLS certificate, as Qdrant.Client's <c>CertificateThumbprint</c> does: the
    /// connection is accepted when the SHA-256 thumbprint of the server's certificate or of any
    /// certificate in its chain (an intermediate or the CA that signed it) equals this, and the usual
    /// chain and name checks are skipped (the pin replaces them).
    /// <value>Null (normal certificate validation) or 64 hex digits in any case, with or without colons,
    /// hyphens or spaces between them (<c>AB:CD:...</c>, <c>ab-cd-...</c>); needs an https <see cref="Address"/>; default null.</value>
    /// </summary>
    public string? CertificateThumbprint { get; set; }

    /// <summary>
    /// Headers sent on every call, for a proxy or gateway in front of Qdrant (a tenant, a route, a
    /// bearer token in <c>authorization</c>). Their values are never printed.
    /// <value>Names of letters, digits, <c>-</c>, <c>_</c> and <c>.</c> (sent in lower case), not
    /// <c>api-key</c> (use <see cref="ApiKey"/>), not starting <c>grpc-</c>, not ending <c>-bin</c>, not a
    /// header HTTP/2 or gRPC sets itself (<c>content-type</c>, <c>te</c>, <c>user-agent</c>, <c>host</c>,
    /// <c>connection</c>); values printable ASCII without leading or trailing spaces. Default empty.</value>
    /// </summary>
    public IDictionary<string, string> Headers { get; private set; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Given to every pooled <see cref="global::Qdrant.Client.QdrantClient"/> and to its gRPC channel
    /// (<c>GrpcChannelOptions.LoggerFactory</c>), so their logs reach the app's. The pool's own logs go
    /// to <see cref="ConnectionPoolOptions.LoggerFactory"/>. Added with dependency injection, both take
    /// the container's when left null.
    /// <value>Default null (no logs from the client or the channel).</value>
    /// </summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>The largest request message a client sends; a larger one fails with <c>ResourceExhausted</c> before it is sent.
    /// <value>Null (no limit, gRPC's default) or at least 1 byte; default null.</value>
    /// </summary>
    public int? MaxSendMessageSize { get; set; }

    /// <summary>The largest response message a client accepts; a larger one fails with <c>ResourceExhausted</c>.
    /// Raise it for large <c>Get</c>, <c>Scroll</c> or query results with vectors.
    /// <value>Null (gRPC's default, 4 MB) or at least 1 byte; default null.</value>
    /// </summary>
    public int? MaxReceiveMessageSize { get; set; }

    /// <summary>
    /// Compresses every request message with this encoding (the <c>grpc-internal-encoding-request</c>
    /// call header of grpc-dotnet), for large upserts over a slow link. The server must accept it; a
    /// server that does not answers <c>Unimplemented</c>. Responses are compressed when the server chooses.
    /// <value>Null (no compression) or <c>"gzip"</c>; default null.</value>
    /// </summary>
    public string? RequestCompression { get; set; }

    /// <summary>
    /// Called on the <see cref="SocketsHttpHandler"/> of every new channel after the pool has set it up
    /// (connect timeout, keep-alive pings, one connection, the pin): a proxy, client certificates, a
    /// custom CA (<c>SslOptions.RemoteCertificateValidationCallback</c>). It runs last and can override any
    /// of those, the pin included; an exception from it fails that client's creation.
    /// <value>Default null.</value>
    /// </summary>
    public Action<SocketsHttpHandler>? ConfigureHandler { get; set; }

    /// <summary>The deadline of every call made through a pooled client. There is no "no deadline".
    /// <value>Greater than zero and at most <see cref="ConnectionPoolOptions.MaxTimeout"/>; default 30 seconds.</value>
    /// </summary>
    public TimeSpan GrpcTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The deadline of a health probe: the one that proves a new client, and each validation.
    /// <value>Greater than zero and at most <see cref="ConnectionPoolOptions.MaxTimeout"/>; default 5 seconds.</value>
    /// </summary>
    public TimeSpan HealthCheckTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long opening the TCP (and TLS) connection of a new client may take. A new client's
    /// probe gets <c>ConnectTimeout + HealthCheckTimeout</c> in all.
    /// <value>Greater than zero and at most <see cref="ConnectionPoolOptions.MaxTimeout"/>; default 5 seconds.</value>
    /// </summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a connection may be silent before the client pings it (HTTP/2 PING), so a
    /// dead connection is found even while idle in the pool.
    /// <value>At least 1 second and at most <see cref="ConnectionPoolOptions.MaxTimeout"/>, or <see cref="Timeout.InfiniteTimeSpan"/> (no pings); default 30 seconds.</value>
    /// </summary>
    public TimeSpan KeepAlivePingDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a ping may go unanswered before the connection is closed.
    /// <value>At least 1 second and at most <see cref="ConnectionPoolOptions.MaxTimeout"/>, or <see cref="Timeout.InfiniteTimeSpan"/>; default 10 seconds.</value>
    /// </summary>
    public TimeSpan KeepAlivePingTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The longest pause a channel takes between reconnect attempts. gRPC's default is 120 seconds,
    /// which keeps a channel failing fast long after the server is back; broken clients are evicted
    /// anyway, so this only matters to a client between its failure and its eviction.
    /// <value>Greater than zero and at most <see cref="ConnectionPoolOptions.MaxTimeout"/>; default 2 seconds.</value>
    /// </summary>
    public TimeSpan MaxReconnectBackoff { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Whether a call that ends in <c>DeadlineExceeded</c> evicts its client at once. A deadline can
    /// mean a slow query or Qdrant's own storage timeout (the connection is fine) or a black-holed
    /// connection (every later call on it hangs until its deadline too). By default the pool tells them
    /// apart: it sends a health probe over the same client under <see cref="HealthCheckTimeout"/> and
    /// evicts only if the probe fails, which costs one round trip per deadline on a good connection and
    /// holds the caller's error until the probe answers. True skips the probe and evicts on every
    /// deadline: one reconnect each, even for slow queries.
    /// <value>Default <see langword="false"/> (probe, then decide).</value>
    /// </summary>
    public bool EvictOnDeadlineExceeded { get; set; }

    /// <summary>
    /// The <see cref="ConnectionPoolOptions.BackoffMax"/> of the default <see cref="Pool"/> settings:
    /// 1 second, where the core pool's default is 10 seconds.
    /// </summary>
    /// <remarks>
    /// While Qdrant is down the pool fails fast and sends one probe create at a time, each after a
    /// backoff with full jitter that grows up to BackoffMax. When Qdrant comes back, the probe that
    /// is waiting may still have up to BackoffMax to wait, so BackoffMax is the bound on how long a
    /// recovered Qdrant goes unnoticed: with 1 second, calls succeed again within about 1 second plus
    /// one connect and health check (measured on loopback after a 30 second outage: well under 2
    /// seconds, see the integration tests), however long the outage lasted. The price is about two
    /// connection attempts a second per pool while Qdrant is down (a probe waits a random part of
    /// 1 second, at least <see cref="ConnectionPoolOptions.BackoffInitial"/>), which a recovering
    /// Qdrant does not notice; a health check is its cheapest call.
    /// </remarks>
    public static readonly TimeSpan DefaultBackoffMax = TimeSpan.FromSeconds(1);

    // The same word as AddQdrantClientPool's default registration name; the registration renames a
    // pool still called this after its own name, so the two need not stay equal.
    private const string DefaultPoolName = "qdrant";

    /// <summary>
    /// The <see cref="ConnectionPoolOptions.MinSize"/> of the default <see cref="Pool"/> settings: 3
    /// channels kept open, so the drop-in client's calls spread over three HTTP/2 connections from the
    /// first call on (Qdrant's Go and Python clients keep three channels too).
    /// </summary>
    public const int DefaultMinSize = 3;

    /// <summary>
    /// The <see cref="ConnectionPoolOptions.MaxLeasesPerConnection"/> of the default <see cref="Pool"/>
    /// settings: 100 calls at once per channel, HTTP/2's usual stream limit per connection, so the
    /// drop-in client's calls share a few channels instead of queueing for one each.
    /// </summary>
    public const int DefaultMaxLeasesPerConnection = 100;

    /// <summary>
    /// The settings of the underlying <see cref="ConnectionPool{TConnection}"/> (size, timeouts,
    /// backoff, name). The default instance has the core pool's defaults except
    /// <see cref="ConnectionPoolOptions.Name"/> "qdrant", <see cref="ConnectionPoolOptions.MinSize"/>
    /// <see cref="DefaultMinSize"/> (3 channels), <see cref="ConnectionPoolOptions.MaxLeasesPerConnection"/>
    /// <see cref="DefaultMaxLeasesPerConnection"/> (100 calls per channel), <see cref="ConnectionPoolOptions.ValidateAfterIdle"/>
    /// infinite (no health check before a call: HTTP/2 keep-alive pings find a dead idle connection, and
    /// a failed call evicts its channel; a probe per call would double the round trips) and
    /// <see cref="ConnectionPoolOptions.BackoffMax"/> <see cref="DefaultBackoffMax"/> (1 second, so the
    /// pool notices a recovered Qdrant within about a second). Change it in place,
    /// <c>new QdrantPoolOptions { Pool = { MaxSize = 16 } }</c>, to keep those; a new
    /// <see cref="ConnectionPoolOptions"/> assigned here starts from the core defaults (MinSize 0, one
    /// call per channel, validation after 500 ms idle, BackoffMax 10 seconds).
    /// <value>Not null; default a <see cref="ConnectionPoolOptions"/> named "qdrant", MinSize 3, 100 calls per channel, no validation on borrow, BackoffMax 1 second.</value>
    /// </summary>
    public ConnectionPoolOptions Pool { get; set; } = new()
    {
        Name = DefaultPoolName,
        MinSize = DefaultMinSize,
        MaxLeasesPerConnection = DefaultMaxLeasesPerConnection,
        ValidateAfterIdle = Timeout.InfiniteTimeSpan,
        BackoffMax = DefaultBackoffMax,
    };

    /// <summary>Describes the settings with <see cref="ApiKey"/> masked.</summary>
    /// <returns>A one-line description safe for logs.</returns>
    public override string ToString()
    {
        var text = new StringBuilder("QdrantPoolOptions { ");
        text.Append(CultureInfo.InvariantCulture, $"Address = {SafeAddress(Address)}, ");
        text.Append("ApiKey = ").Append(ApiKey is null ? "(none)" : "***").Append(", ");
        text.Append("CertificateThumbprint = ").Append(CertificateThumbprint ?? "(none)").Append(", ");
        text.Append("Headers = ").Append(Headers is { Count: > 0 } headers ? "[" + string.Join(", ", headers.Keys.Select(k => k + " = ***")) + "]" : "(none)").Append(", ");
        text.Append("LoggerFactory = ").Append(LoggerFactory is null ? "(none)" : "(set)").Append(", ");
        text.Append("MaxSendMessageSize = ").Append(Show(MaxSendMessageSize)).Append(", ");
        text.Append("MaxReceiveMessageSize = ").Append(Show(MaxReceiveMessageSize)).Append(", ");
        text.Append("RequestCompression = ").Append(RequestCompression ?? "(none)").Append(", ");
        text.Append("ConfigureHandler = ").Append(ConfigureHandler is null ? "(none)" : "(set)").Append(", ");
        text.Append(CultureInfo.InvariantCulture, $"GrpcTimeout = {GrpcTimeout}, HealthCheckTimeout = {HealthCheckTimeout}, ");
        text.Append(CultureInfo.InvariantCulture, $"ConnectTimeout = {ConnectTimeout}, KeepAlivePingDelay = {KeepAlivePingDelay}, ");
        text.Append(CultureInfo.InvariantCulture, $"KeepAlivePingTimeout = {KeepAlivePingTimeout}, MaxReconnectBackoff = {MaxReconnectBackoff}, ");
        text.Append(CultureInfo.InvariantCulture, $"EvictOnDeadlineExceeded = {EvictOnDeadlineExceeded}, ");
        text.Append(Pool is null
            ? "Pool = (null)"
            : string.Create(CultureInfo.InvariantCulture, $"Pool = {{ Name = {Pool.Name}, MinSize = {Pool.MinSize}, MaxSize = {Pool.MaxSize}, MaxLeasesPerConnection = {Pool.MaxLeasesPerConnection}, AcquireTimeout = {Pool.AcquireTimeout}, BackoffMax = {Pool.BackoffMax} }}"));
        return text.Append(" }").ToString();
    }

    /// <summary>
    /// Takes <see cref="Address"/> and <see cref="ApiKey"/> from a connection string as Aspire's Qdrant
    /// integration writes it (<c>ConnectionStrings:qdrant</c>): <c>Endpoint=http://host:6334;Key=secret</c>,
    /// keys in any case, or the endpoint URI alone. A string without <c>Key</c> leaves <see cref="ApiKey"/>
    /// as it was; other keys are ignored, as Aspire does.
    /// </summary>
    /// <param name="connectionString">The connection string.</param>
    /// <returns>These options, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="connectionString"/> is null.</exception>
    /// <exception cref="ArgumentException">The string is not a connection string, has no <c>Endpoint</c>, or its
    /// endpoint is not an absolute URI; the message says which, and never quotes the string (it holds the key).</exception>
    public QdrantPoolOptions UseConnectionString(string connectionString)
    {
        var (endpoint, key) = AspireConnectionString.Parse(connectionString, nameof(connectionString));
        Address = endpoint;
        if (key is not null)
        {
            ApiKey = key;
        }

        return this;
    }

    /// <summary>
    /// Checks these settings the way <see cref="QdrantClientPool"/>'s constructor does, without building a
    /// pool: for start-up validation (options binding, <c>ValidateOnStart</c>). The core pool's settings
    /// are checked too, by <see cref="ConnectionPoolOptions.Validate"/>, their problems prefixed <c>Pool.</c>.
    /// </summary>
    /// <returns>Every problem, each naming the setting and its allowed range (never the api key); empty when the settings are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = QdrantPoolOptionsValidation.FindProblems(this);
        if (Pool is not null)
        {
            problems.AddRange(Pool.Validate().Select(problem => "Pool." + problem));
        }

        return problems;
    }

    /// <summary>Throws one <see cref="ArgumentException"/> listing every problem, or returns a validated copy.</summary>
    internal QdrantPoolOptions ValidatedCopy(string paramName)
    {
        var problems = QdrantPoolOptionsValidation.FindProblems(this);
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid QdrantPoolOptions: " + string.Join(" ", problems), paramName);
        }

        var copy = (QdrantPoolOptions)MemberwiseClone();
        copy.Headers = new Dictionary<string, string>(Headers, StringComparer.OrdinalIgnoreCase);
        return copy;
    }

    private static string Show(int? bytes) => bytes is { } value ? value.ToString(CultureInfo.InvariantCulture) : "(default)";

    /// <summary>The address without user info, so a password typed into it never reaches a message.</summary>
    internal static string SafeAddress(Uri? address)
    {
        if (address is null)
        {
            return "(null)";
        }

        if (!address.IsAbsoluteUri || address.UserInfo.Length == 0)
        {
            return address.OriginalString;
        }

        return new UriBuilder(address) { UserName = string.Empty, Password = string.Empty }.Uri.ToString();
    }
}
