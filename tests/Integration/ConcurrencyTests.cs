namespace Pool.Tests.Integration;

public sealed class ConcurrencyTests(ITestOutputHelper output)
{
    private const int Calls = 1000;
    private const int MaxSize = 8;

    [Fact]
    public async Task Thousand_simultaneous_calls_on_MaxSize_8_use_at_most_8_connections_and_all_get_the_right_answer()
    {
        await using var grid = await GridStandIn.StartAsync(s => Pools.For(s, MaxSize), points: 100);
        var (standIn, pool) = grid;

        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = Enumerable.Range(0, Calls).Select(async i =>
        {
            await gate.Task;
            return await GridCollection.QueryNearAsync(pool, i % 100);
        }).ToArray();

        PeakSampler sampler;
        await using (sampler = new PeakSampler(pool, standIn))
        {
            gate.SetResult();
            var answers = await Task.WhenAll(calls);
            Assert.Equal(Enumerable.Range(0, Calls).Select(i => (ulong)(i % 100)), answers);
        }

        var stats = pool.GetStatistics();
        output.WriteLine($"server peak {standIn.PeakOpenConnections} (Kestrel-tracked {standIn.PeakTrackedConnections}), accepted {standIn.AcceptedConnections}, sampled peak Total {sampler.PeakTotal}, live {sampler.PeakLiveClients} ({sampler.Samples} samples); {stats}");
        MaxSizeHeld.Throughout(standIn, sampler, MaxSize);

        // 1,000 waiters make the pool grow to exactly MaxSize and no further: one connection, one
        // health probe per client, and every query reached the server once.
        Assert.Equal(MaxSize, stats.Created);
        Assert.Equal(0, stats.Destroyed);
        Assert.Equal(MaxSize, standIn.AcceptedConnections);
        Assert.Equal(MaxSize, standIn.CallCount("qdrant.Qdrant/HealthCheck"));
        Assert.Equal(Calls, standIn.CallCount("qdrant.Points/Query"));
        await QuietPoint.AssertCountsMatchAsync(pool, standIn, MaxSize);
    }
}
