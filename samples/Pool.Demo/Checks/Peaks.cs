using Pool.Qdrant;

namespace Pool.Demo.Checks;

/// <summary>
/// The most of each count the monitor saw. (The stand-in counts its own connection peak exactly,
/// from the server's side: <c>QdrantStandIn.PeakOpenConnections</c>.) Written by the monitor only.
/// </summary>
internal sealed class Peaks
{
    private volatile int _total;
    private volatile int _liveClients;
    private volatile int _inUse;
    private volatile int _waiters;
    private long _samples;

    public int Total => _total;

    public int LiveClients => _liveClients;

    public int InUse => _inUse;

    public int Waiters => _waiters;

    public long Samples => Interlocked.Read(ref _samples);

    public void Sample(in PoolStatistics stats, QdrantClientPool pool)
    {
        _total = Math.Max(_total, stats.Total);
        _liveClients = Math.Max(_liveClients, pool.Factory.LiveClients);
        _inUse = Math.Max(_inUse, stats.InUse);
        _waiters = Math.Max(_waiters, stats.Waiters);
        Interlocked.Increment(ref _samples);
    }
}
