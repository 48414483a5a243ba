namespace Pool;

/// <summary>
/// The names to subscribe to a pool's metrics and logs, e.g. OpenTelemetry's
/// <c>.WithMetrics(m =&gt; m.AddMeter(PoolDiagnostics.MeterName))</c> or a log filter on
/// <see cref="LoggerCategory"/>.
/// </summary>
public static class PoolDiagnostics
{
    /// <summary>
    /// The name of the <see cref="System.Diagnostics.Metrics.Meter"/> every pool reports through: the
    /// OpenTelemetry <c>db.client.connection.*</c> instruments and the pool's own <c>pool.*</c> ones,
    /// each tagged with <c>db.client.connection.pool.name</c> (the pool's <see cref="ConnectionPoolOptions.Name"/>).
    /// </summary>
    public const string MeterName = "Pool";

    /// <summary>The category of every log event a pool writes.</summary>
    public const string LoggerCategory = "Pool.ConnectionPool";
}
