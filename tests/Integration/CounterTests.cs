namespace Pool.Tests.Integration;

public sealed class CounterTests
{
    [Fact]
    public async Task At_quiet_points_pool_Total_equals_live_clients_equals_server_connections()
    {
        await using var standIn = await QdrantStandIn.StartAsync();
        var pool = Pools.For(standIn, maxSize: 4);
        await using (pool)
        {
            await GridCollection.CreateAsync(pool, points: 20);
            await Task.WhenAll(Enumerable.Range(0, 200).Select(i => GridCollection.QueryNearAsync(pool, i % 20)));
            await QuietPoint.AssertCountsMatchAsync(pool, standIn, 4);

            // An evicted client closes its connection: all three counts go down together. One call per
            // client hangs; the one whose connection is cut fails and is evicted, the others are cancelled.
            standIn.Faults.SpareHealthCheck = true;
            standIn.Faults.Hang = true;
            using var cancel = new CancellationTokenSource();
            var calls = Enumerable.Range(0, 4).Select(_ => pool.RunAsync((c, ct) => c.ListCollectionsAsync(ct), cancel.Token)).ToList();
            await Waits.UntilAsync(() => standIn.CallsInFlight == 4, () => $"{standIn.CallsInFlight} calls in flight");
            Assert.Equal(1, standIn.KillConnections(1));
            var broken = await Task.WhenAny(calls);
            var error = await Assert.ThrowsAsync<RpcException>(() => broken);
            Assert.Equal(StatusCode.Unavailable, error.StatusCode);
            await cancel.CancelAsync();
            foreach (var call in calls.Where(c => c != broken))
            {
                Assert.Equal(StatusCode.Cancelled, (await Assert.ThrowsAsync<RpcException>(() => call)).StatusCode);
            }

            standIn.Faults.Reset();
            await Waits.UntilAsync(() => pool.GetStatistics().Destroying == 0, () => "destroy still running");
            Assert.Equal(1, pool.GetStatistics().Destroyed);
            await QuietPoint.AssertCountsMatchAsync(pool, standIn, 3);
        }

        // Disposed: every client destroyed exactly once, every connection closed.
        var stats = pool.GetStatistics();
        Assert.Equal(0, stats.Total);
        Assert.Equal(stats.Created, stats.Destroyed);
        Assert.Equal(0, pool.Factory.LiveClients);
        Assert.Equal(pool.Factory.Created, pool.Factory.Destroyed);
        await Waits.UntilAsync(() => standIn.OpenConnections == 0, () => $"{standIn.OpenConnections} connections still open");
    }
}
