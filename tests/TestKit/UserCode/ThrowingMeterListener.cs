using System.Diagnostics.Metrics;

namespace Pool.Tests.Kit;

/// <summary>
/// A MeterListener on one meter whose every measurement callback (and MeasurementsCompleted) throws,
/// counting the measurements it refused, for the rule that metrics never change the pool's state.
/// </summary>
public sealed class ThrowingMeterListener : IDisposable
{
    private readonly MeterListener _listener;
    private int _measurements;
    private bool _disposing;

    public ThrowingMeterListener(Meter meter)
    {
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter, meter))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
            MeasurementsCompleted = (_, _) => { if (!_disposing) { throw Error; } },
        };
        _listener.SetMeasurementEventCallback<double>((_, _, _, _) => Refuse());
        _listener.SetMeasurementEventCallback<long>((_, _, _, _) => Refuse());
        _listener.SetMeasurementEventCallback<int>((_, _, _, _) => Refuse());
        _listener.Start();
    }

    public InvalidOperationException Error { get; } = new("The metrics listener failed.");

    /// <summary>Measurements the pool recorded (each threw back at it).</summary>
    public int Measurements => Volatile.Read(ref _measurements);

    public void Dispose()
    {
        _disposing = true; // the test's own clean-up is not a pool fault
        _listener.Dispose();
    }

    private void Refuse()
    {
        Interlocked.Increment(ref _measurements);
        throw Error;
    }
}
