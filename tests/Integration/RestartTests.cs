namespace Pool.Tests.Integration;

public sealed class RestartTests(ITestOutputHelper output)
{
    private const int MaxSize = 8;
    private const int Workers = 24;
    private const int Restarts = 3;

    [Fact]
    public async Task Restarting_the_server_under_load_never_exceeds_MaxSize_and_the_pool_recovers_each_time()
    {
        await using var grid = await GridStandIn.StartAsync(s => Pools.For(s, MaxSize), points: 100);
        var (standIn, pool) = grid;

        using var stop = new CancellationTokenSource();
        var load = new Load();
        PeakSampler sampler;
        await using (sampler = new PeakSampler(pool, standIn))
        {
            var workers = Enumerable.Range(0, Workers).Select(w => Task.Run(() => WorkAsync(pool, w, load, stop.Token))).ToArray();
            for (int restart = 0; restart < Restarts; restart++)
            {
                await load.WaitForSuccessesAsync(50);
                await standIn.StopAsync();
                await load.WaitForFailuresAsync(Workers);
                await standIn.StartAsync();
            }

            await load.WaitForSuccessesAsync(200); // Recovered after the last restart.
            await stop.CancelAsync();
            await Task.WhenAll(workers);
        }

        var stats = pool.GetStatistics();
        output.WriteLine($"{load}; server peak {standIn.PeakOpenConnections} (Kestrel-tracked {standIn.PeakTrackedConnections}), accepted {standIn.AcceptedConnections}; sampled peak Total {sampler.PeakTotal}, live {sampler.PeakLiveClients}; {stats}");
        MaxSizeHeld.Throughout(standIn, sampler, MaxSize);
        Assert.Empty(load.Unexpected);

        // Every restart broke the connections of that generation; each broken client was evicted.
        Assert.True(stats.Destroyed >= Restarts, $"only {stats.Destroyed} clients were evicted over {Restarts} restarts");
        await QuietPoint.AssertCountsMatchAsync(pool, standIn, stats.Total);
    }

    private static async Task WorkAsync(QdrantClientPool pool, int worker, Load load, CancellationToken stop)
    {
        for (int i = worker; !stop.IsCancellationRequested; i += Workers)
        {
            try
            {
                await GridCollection.QueryNearAsync(pool, i % 100, stop);
                load.Succeeded();
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is RpcException { StatusCode: StatusCode.Unavailable or StatusCode.Internal } or ConnectionCreateException or PoolUnavailableException)
            {
                load.Failed();

                // Paces a worker while the server is down (its creates fail at once); not a synchronisation.
                await Task.Delay(5, CancellationToken.None);
            }
            catch (Exception e)
            {
                load.Unexpected.Add(e);
                return;
            }
        }
    }

    private sealed class Load
    {
        private long _successes;
        private long _failures;

        public System.Collections.Concurrent.ConcurrentBag<Exception> Unexpected { get; } = [];

        public void Succeeded() => Interlocked.Increment(ref _successes);

        public void Failed() => Interlocked.Increment(ref _failures);

        public Task WaitForSuccessesAsync(long more)
        {
            long target = Interlocked.Read(ref _successes) + more;
            return Waits.UntilAsync(() => Interlocked.Read(ref _successes) >= target || !Unexpected.IsEmpty, () => $"{this}: waiting for {target} successes");
        }

        public Task WaitForFailuresAsync(long more)
        {
            long target = Interlocked.Read(ref _failures) + more;
            return Waits.UntilAsync(() => Interlocked.Read(ref _failures) >= target || !Unexpected.IsEmpty, () => $"{this}: waiting for {target} failures");
        }

        public override string ToString() => $"{Interlocked.Read(ref _successes)} calls succeeded, {Interlocked.Read(ref _failures)} failed during restarts, {Unexpected.Count} unexpected";
    }
}
