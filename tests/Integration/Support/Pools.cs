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

            // The core's sizing, exclusive leases and borrow checks, not the binding's (3 channels, 100
            // calls each, no validation): these tests count every connection, probe and call in flight;
            // the drop-in tests ask for the binding's.
            MinSize = 0,
            MaxLeasesPerConnection = 1,
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

    /// <summary>
    /// The drop-in client's pool with the binding's pool defaults (3 channels kept open, 100 calls per
    /// channel, no validation on borrow) and the short deadlines of <see cref="Options"/>.
    /// </summary>
    public static QdrantClientPool DropIn(QdrantStandIn standIn, Action<QdrantPoolOptions>? configure = null)
    {
        var options = new QdrantPoolOptions
        {
            Address = standIn.Address,
            ConnectTimeout = TimeSpan.FromSeconds(2),
            HealthCheckTimeout = TimeSpan.FromSeconds(2),
            GrpcTimeout = TimeSpan.FromSeconds(10),
            Pool = { Name = "dropin", AcquireTimeout = TimeSpan.FromSeconds(20), DisposeTimeout = TimeSpan.FromSeconds(5) },
        };
        configure?.Invoke(options);
        return new QdrantClientPool(options);
    }
}
