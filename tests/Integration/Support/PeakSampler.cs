namespace Pool.Tests.Integration.Support;

/// <summary>
/// Samples the pool's Total and the factory's live clients in the background while a test runs.
/// (The stand-in records its own connection peak exactly; the pool asserts Total ≤ MaxSize on every
/// change in Debug builds. This is a third, outside look.)
/// </summary>
internal sealed class PeakSampler : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public PeakSampler(QdrantClientPool pool, QdrantStandIn standIn) => _loop = Task.Run(async () =>
    {
        while (!_stop.IsCancellationRequested)
        {
            var stats = pool.GetStatistics();
            PeakTotal = Math.Max(PeakTotal, stats.Total);
            PeakCreating = Math.Max(PeakCreating, stats.Creating);
            PeakLiveClients = Math.Max(PeakLiveClients, pool.Factory.LiveClients);
            PeakServerConnections = Math.Max(PeakServerConnections, standIn.OpenConnections);
            Samples++;
            await Task.Delay(1); // A sampling period, not a synchronisation.
        }
    });

    public int PeakTotal { get; private set; }

    public int PeakCreating { get; private set; }

    public int PeakLiveClients { get; private set; }

    public int PeakServerConnections { get; private set; }

    public long Samples { get; private set; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
