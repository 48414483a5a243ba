using Microsoft.Extensions.Time.Testing;
using Qdrant.Client.Grpc;

namespace Pool.Tests.Integration;

/// <summary>The stand-in's own promises, which the other suites rely on.</summary>
public sealed class StandInTests : StandInPerTest
{
    [Fact]
    public async Task A_restart_keeps_the_port_and_the_collections()
    {
        await using var pool = Pools.For(StandIn);
        await pool.RunAsync((c, ct) => c.CreateCollectionAsync("kept", new VectorParams { Size = 2, Distance = Distance.Dot }, cancellationToken: ct));
        int port = StandIn.Port;

        await StandIn.StopAsync();
        Assert.False(StandIn.IsRunning);
        Assert.Equal(0, StandIn.OpenConnections);
        await StandIn.StartAsync();

        Assert.Equal(port, StandIn.Port);
        await Waits.UntilAsync(
            async () =>
            {
                try
                {
                    return await pool.RunAsync((c, ct) => c.CollectionExistsAsync("kept", ct));
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
                {
                    return false; // The client of the old server generation is evicted; the next one works.
                }
            },
            () => "the collection did not survive the restart");
    }

    [Fact]
    public async Task Refused_connections_fail_creates_and_are_counted()
    {
        StandIn.Faults.RefuseConnections = true;
        await using var pool = Pools.For(StandIn);
        var error = await Assert.ThrowsAsync<ConnectionCreateException>(() => pool.RunAsync((c, ct) => c.HealthAsync(ct)));
        Assert.Equal(StatusCode.Unavailable, Assert.IsType<RpcException>(error.InnerException).StatusCode);
        Assert.True(StandIn.RefusedConnections >= 1);
        Assert.Equal(0, StandIn.AcceptedConnections);

        StandIn.Faults.RefuseConnections = false;
        await Waits.UntilAsync(
            async () =>
            {
                try
                {
                    await pool.RunAsync((c, ct) => c.HealthAsync(ct));
                    return true;
                }
                catch (ConnectionCreateException)
                {
                    return false;
                }
            },
            () => "no client could be created after connections were allowed again");
        Assert.Equal(1, StandIn.AcceptedConnections);
    }

    [Fact]
    public async Task Calls_are_counted_per_method_and_latency_delays_them()
    {
        await using var pool = Pools.For(StandIn, maxSize: 1);
        await pool.RunAsync((c, ct) => c.ListCollectionsAsync(ct));
        StandIn.Faults.Latency = TimeSpan.FromMilliseconds(150);
        var clock = Stopwatch.StartNew();
        await pool.RunAsync((c, ct) => c.ListCollectionsAsync(ct));
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(140), $"took only {clock.Elapsed}");

        Assert.Equal(2, StandIn.CallCount("qdrant.Collections/List"));
        Assert.Equal(1, StandIn.CallCount("qdrant.Qdrant/HealthCheck"));
        Assert.Equal(0, StandIn.CallCount("qdrant.Points/Query"));
        Assert.Equal(2, StandIn.CallCounts.Count);
    }

    [Fact]
    public async Task One_connection_carries_more_than_Kestrels_default_100_streams()
    {
        var (factory, client) = await OneConnectionAsync();
        StandIn.Faults.Hang = true;
        using var cancel = new CancellationTokenSource();
        var calls = Enumerable.Range(0, 200).Select(_ => client.ListCollectionsAsync(cancel.Token)).ToArray();

        await Waits.UntilAsync(() => StandIn.CallsInFlight == 200, () => $"{StandIn.CallsInFlight} calls in flight");
        Assert.Equal(1, StandIn.OpenConnections);
        await cancel.CancelAsync();
        foreach (var call in calls)
        {
            await Assert.ThrowsAsync<RpcException>(() => call);
        }

        await factory.DestroyAsync(client);
    }

    [Fact]
    public async Task An_outage_stops_the_server_for_its_duration_and_starts_it_again()
    {
        // The outage's clock is fake: the server stays down until the test advances it.
        var time = new FakeTimeProvider();
        var outage = StandIn.OutageAsync(TimeSpan.FromSeconds(30), time);
        await Waits.UntilAsync(() => !StandIn.IsRunning, () => "the server never stopped");
        var factory = new QdrantConnectionFactory(Pools.Options(StandIn.Address));
        var down = await Assert.ThrowsAsync<RpcException>(() => factory.CreateAsync(CancellationToken.None).AsTask());
        Assert.Equal(StatusCode.Unavailable, down.StatusCode);

        time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(outage.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        await outage;
        Assert.True(StandIn.IsRunning);
        var client = await factory.CreateAsync(CancellationToken.None);
        await factory.DestroyAsync(client);
    }

    [Fact]
    public async Task FaultProbability_0_spares_every_call_and_1_hits_every_call()
    {
        var (factory, client) = await OneConnectionAsync();
        AnswerUnavailableWithProbability(0);
        for (int i = 0; i < 20; i++)
        {
            await client.ListCollectionsAsync();
        }

        AnswerUnavailableWithProbability(1);
        for (int i = 0; i < 20; i++)
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => client.ListCollectionsAsync());
            Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        }

        Assert.Equal(40, StandIn.CallCount("qdrant.Collections/List"));
        await factory.DestroyAsync(client);
    }

    [Fact]
    public async Task FaultProbability_one_half_fails_about_half_of_the_calls_on_one_connection()
    {
        var (factory, client) = await OneConnectionAsync();
        AnswerUnavailableWithProbability(0.5);
        int failed = 0;
        for (int i = 0; i < 400; i++)
        {
            try
            {
                await client.ListCollectionsAsync();
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
            {
                failed++;
            }
        }

        // Binomial(400, 0.5): the standard deviation is 10, so 120..280 is 8 of them either side.
        Assert.InRange(failed, 120, 280);
        Assert.Equal(1, StandIn.OpenConnections); // the failures were answers, not broken connections
        Assert.Equal(1, StandIn.AcceptedConnections);
        await factory.DestroyAsync(client);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void FaultProbability_outside_0_to_1_is_refused_with_its_name(double value)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => StandIn.Faults.FaultProbability = value);
        Assert.StartsWith("FaultProbability must be between 0 and 1.", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, StandIn.Faults.FaultProbability);
    }

    [Fact]
    public void Reset_sets_FaultProbability_back_to_1()
    {
        StandIn.Faults.FaultProbability = 0.25;
        StandIn.Faults.Reset();
        Assert.Equal(1, StandIn.Faults.FaultProbability);
    }

    [Fact]
    public async Task KillConnections_with_a_count_aborts_that_many_and_the_others_carry_on()
    {
        var factory = new QdrantConnectionFactory(Pools.Options(StandIn.Address));
        var clients = new List<global::Qdrant.Client.QdrantClient>();
        for (int i = 0; i < 3; i++)
        {
            clients.Add(await factory.CreateAsync(CancellationToken.None));
        }

        Assert.Equal(3, StandIn.OpenConnections);
        StandIn.Faults.Hang = true;
        using var cancel = new CancellationTokenSource();
        var calls = clients.Select(c => c.ListCollectionsAsync(cancel.Token)).ToList();
        await Waits.UntilAsync(() => StandIn.CallsInFlight == 3, () => $"{StandIn.CallsInFlight} calls in flight");

        Assert.Equal(1, StandIn.KillConnections(1));
        var broken = await Task.WhenAny(calls);
        var error = await Assert.ThrowsAsync<RpcException>(() => broken);
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        await Waits.UntilAsync(() => StandIn.OpenConnections == 2, () => $"{StandIn.OpenConnections} connections open");
        await Waits.UntilAsync(() => StandIn.CallsInFlight == 2, () => $"{StandIn.CallsInFlight} calls in flight");
        Assert.Equal(2, calls.Count(c => !c.IsCompleted));

        Assert.Equal(0, StandIn.KillConnections(0));
        Assert.Equal(2, StandIn.KillConnections(5));
        foreach (var call in calls.Where(c => c != broken))
        {
            Assert.Equal(StatusCode.Unavailable, (await Assert.ThrowsAsync<RpcException>(() => call)).StatusCode);
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => StandIn.KillConnections(-1));
        foreach (var client in clients)
        {
            await factory.DestroyAsync(client);
        }
    }

    /// <summary>A client straight from the factory, outside any pool: what the stand-in promises, it promises per connection.</summary>
    private async Task<(QdrantConnectionFactory Factory, QdrantClient Client)> OneConnectionAsync()
    {
        var factory = new QdrantConnectionFactory(Pools.Options(StandIn.Address));
        return (factory, await factory.CreateAsync(CancellationToken.None));
    }

    private void AnswerUnavailableWithProbability(double probability)
    {
        StandIn.Faults.Unavailable = true;
        StandIn.Faults.FaultProbability = probability;
    }
}
