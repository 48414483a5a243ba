namespace Pool.Tests.Integration;

/// <summary>
/// MaxSize under load over real gRPC, on a grid of points served through a pool of 8: a thousand calls
/// at once, and a steady load through server restarts. The bound holds on all three sides that see
/// connections (the pool, the factory, the server), and the pool recovers.
/// </summary>
public sealed class MaxSizeUnderLoadTests(ITestOutputHelper output)
{
    private const int MaxSize = 8;
    private const int Points = 100;
    private const int Calls = 1000;
    private const int Workers = 24;
    private const int Restarts = 3;

    [Fact]
    public async Task Thousand_simultaneous_calls_on_MaxSize_8_use_at_most_8_connections_and_all_get_the_right_answer()
    {
        await using var grid = await StartGridAsync();
        var (standIn, pool) = grid;

        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = Enumerable.Range(0, Calls).Select(async i =>
        {
            await gate.Task;
            return await GridCollection.QueryNearAsync(pool, i % Points);
        }).ToArray();

        PeakSampler sampler;
        await using (sampler = new PeakSampler(pool, standIn))
        {
            gate.SetResult();
            var answers = await Task.WhenAll(calls);
            Assert.Equal(Enumerable.Range(0, Calls).Select(i => (ulong)(i % Points)), answers);
        }

        var stats = pool.GetStatistics();
        PeaksHeldMaxSize(standIn, sampler, stats, $"{sampler.Samples} samples");

        // 1,000 waiters make the pool grow to exactly MaxSize and no further: one connection, one
        // health probe per client, and every query reached the server once.
        Assert.Equal(MaxSize, stats.Created);
        Assert.Equal(0, stats.Destroyed);
        Assert.Equal(MaxSize, standIn.AcceptedConnections);
        Assert.Equal(MaxSize, standIn.CallCount("qdrant.Qdrant/HealthCheck"));
        Assert.Equal(Calls, standIn.CallCount("qdrant.Points/Query"));
        await QuietPoint.AssertCountsMatchAsync(pool, standIn, MaxSize);
    }

    [Fact]
    public async Task Restarting_the_server_under_load_never_exceeds_MaxSize_and_the_pool_recovers_each_time()
    {
        await using var grid = await StartGridAsync();
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
        PeaksHeldMaxSize(standIn, sampler, stats, load.ToString());
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
                await GridCollection.QueryNearAsync(pool, i % Points, stop);
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

    private static Task<GridStandIn> StartGridAsync() => GridStandIn.StartAsync(s => Pools.For(s, MaxSize), Points);

    /// <summary>Writes the peaks each side saw (for a failing run's log), then checks MaxSize held throughout.</summary>
    private void PeaksHeldMaxSize(QdrantStandIn standIn, PeakSampler sampler, PoolStatistics stats, string load)
    {
        output.WriteLine(
            $"{load}; server peak {standIn.PeakOpenConnections} (Kestrel-tracked {standIn.PeakTrackedConnections}), accepted {standIn.AcceptedConnections}; " +
            $"sampled peak Total {sampler.PeakTotal}, live {sampler.PeakLiveClients}; {stats}");
        MaxSizeHeld.Throughout(standIn, sampler, MaxSize);
    }
}
