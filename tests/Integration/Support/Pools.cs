namespace Pool.Tests.Integration.Support;

/// <summary>Pools aimed at a stand-in, with timeouts short enough that a hang fails a test fast.</summary>
internal static class Pools
{
    public static QdrantPoolOptions Options(Uri address, int maxSize = 4) => new()
    {
        Address = address,
        ConnectTimeout = TimeSpan.FromSeconds(2),
        HealthCheckTimeout = TimeSpan.FromSeconds(2),
        GrpcTimeout = TimeSpan.FromSeconds(10),
        // Set in place: the binding's pool defaults (BackoffMax 1 s) stay.
        Pool =
        {
            Name = "integration",
            MaxSize = maxSize,

            // The core's sizing and borrow checks, not the binding's (3 channels, no validation): these
            // tests count every connection and probe; drop-in tests ask for channels kept open.
            MinSize = 0,
            ValidateAfterIdle = TimeSpan.FromMilliseconds(500),
            AcquireTimeout = TimeSpan.FromSeconds(20),
            DisposeTimeout = TimeSpan.FromSeconds(5),
        },
    };

    public static QdrantClientPool For(QdrantStandIn standIn, int maxSize = 4, Action<QdrantPoolOptions>? configure = null)
    {
        var options = Options(standIn.Address, maxSize);
        configure?.Invoke(options);
        return new QdrantClientPool(options);
    }
}
