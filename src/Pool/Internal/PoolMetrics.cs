using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;

namespace Pool.Internal;

/// <summary>
/// One pool's side of its metrics: the pool.name tag, the meter (its own, or one from the options'
/// <see cref="IMeterFactory"/>) and the recording calls. Listeners are user code, so the pool calls
/// these only after releasing its lock; each checks <see cref="Instrument.Enabled"/> first, so with
/// no listener a call costs a field read and allocates nothing. A listener that throws is swallowed
/// here: metrics are telemetry, and they report work that is already decided.
/// </summary>
internal sealed class PoolMetrics : IDisposable
{
    private const string PoolNameKey = "db.client.connection.pool.name";

    /// <summary>The values of pool.destroy.reason, indexed by <see cref="DestroyReason"/>; the Evicted log event uses the same words.</summary>
    public static readonly string[] ReasonNames = ["invalidated", "validation_failed", "idle", "expired", "cleared", "surplus", "disposed"];

    private readonly PoolInstruments _instruments;
    private readonly Func<PoolStatistics> _snapshot;
    private readonly bool _ownsMeter;
    private int _disposed;

    public PoolMetrics(string poolName, IMeterFactory? meterFactory, Func<PoolStatistics> snapshot)
    {
        var options = new MeterOptions(PoolDiagnostics.MeterName);
        Meter = meterFactory?.Create(options) ?? new Meter(options);
        _ownsMeter = meterFactory is null;
        _snapshot = snapshot;
        PoolTag = new(PoolNameKey, poolName);
        _instruments = PoolInstruments.For(Meter);
        _instruments.Register(this);
    }

    /// <summary>The meter the pool reports through (tests listen to this one only).</summary>
    public Meter Meter { get; }

    public KeyValuePair<string, object?> PoolTag { get; }

    /// <summary>Whether acquires should read the clock once more to time the wait and stamp the lease.</summary>
    public bool TimesLeases => _instruments.WaitTime.Enabled || _instruments.UseTime.Enabled;

    /// <summary>Whether creates should read the clock before calling the factory.</summary>
    public bool TimesCreates => _instruments.CreateTime.Enabled;

    public PoolStatistics Snapshot() => _snapshot();

    public void Waited(TimeSpan wait)
    {
        if (_instruments.WaitTime.Enabled)
        {
            Guarded(static (m, v) => m._instruments.WaitTime.Record(v, m.PoolTag), wait.TotalSeconds);
        }
    }

    public void Used(TimeSpan use)
    {
        if (_instruments.UseTime.Enabled)
        {
            Guarded(static (m, v) => m._instruments.UseTime.Record(v, m.PoolTag), use.TotalSeconds);
        }
    }

    public void Created(TimeSpan took) => Guarded(static (m, v) => m._instruments.CreateTime.Record(v, m.PoolTag), took.TotalSeconds);

    public void AcquireTimedOut() => Guarded(static (m, _) => m._instruments.Timeouts.Add(1, m.PoolTag), 0);

    public void CreateFailed(Exception error)
    {
        if (_instruments.CreateFailures.Enabled)
        {
            Guarded(static (m, e) => m._instruments.CreateFailures.Add(1, m.PoolTag, new("error.type", e.GetType().FullName)), error);
        }
    }

    public void Destroyed(DestroyReason reason)
    {
        if (_instruments.Destroyed.Enabled)
        {
            Guarded(static (m, r) => m._instruments.Destroyed.Add(1, m.PoolTag, new("pool.destroy.reason", ReasonNames[(int)r])), reason);
        }
    }

    /// <summary>
    /// The pool leaves its meter's observable instruments; its own meter is disposed (one from a
    /// factory belongs to the factory). Idempotent.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _instruments.Unregister(this);
        if (_ownsMeter)
        {
            // Listeners hear MeasurementsCompleted here: user code, guarded like every recording.
            Guarded(static (m, _) => m.Meter.Dispose(), 0);
        }
    }

    /// <summary>One recording: a MeterListener callback that throws loses the measurement, nothing else.</summary>
    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "A metrics listener's failure must not change the pool's state.")]
    private void Guarded<TValue>(Action<PoolMetrics, TValue> record, TValue value)
    {
        try
        {
            record(this, value);
        }
        catch (Exception)
        {
            // The measurement is lost; the pool's work goes on.
        }
    }
}
