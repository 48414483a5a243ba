namespace Pool.Qdrant.Testing;

/// <summary>How a <see cref="QdrantStandIn"/> listens.</summary>
public sealed class QdrantStandInOptions
{
    /// <summary>The port on 127.0.0.1. <value>0 (the system picks a free port, kept across restarts) or 1 to 65535; default 0.</value></summary>
    public int Port { get; set; }

    /// <summary>Serve https with a self-signed certificate made at start-up instead of h2c. <value>Default false.</value></summary>
    public bool UseTls { get; set; }

    /// <summary>
    /// HTTP/2 streams one connection may carry at once. Qdrant sets no limit, Kestrel's default is
    /// 100; tests that study the limit lower it. <value>At least 1; default <see cref="int.MaxValue"/>.</value>
    /// </summary>
    public int MaxStreamsPerConnection { get; set; } = int.MaxValue;

    /// <summary>The version the health check reports. <value>Default "1.16.0-stand-in".</value></summary>
    public string Version { get; set; } = "1.16.0-stand-in";
}
