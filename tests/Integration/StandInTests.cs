using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using Qdrant.Client.Grpc;

namespace Pool.Tests.Integration;

/// <summary>The stand-in's own promises, which the other suites rely on.</summary>
public sealed class StandInTests : IAsyncLifetime
{
    private QdrantStandIn _standIn = null!;

    public async Task InitializeAsync() => _standIn = await QdrantStandIn.StartAsync();

    public async Task DisposeAsync() => await _standIn.DisposeAsync();

    [Fact]
    public async Task A_restart_keeps_the_port_and_the_collections()
    {
        await using var pool = Pools.For(_standIn);
        await pool.RunAsync((c, ct) => c.CreateCollectionAsync("kept", new VectorParams { Size = 2, Distance = Distance.Dot }, cancellationToken: ct));
        int port = _standIn.Port;

        await _standIn.StopAsync();
        Assert.False(_standIn.IsRunning);
        Assert.Equal(0, _standIn.OpenConnections);
        await _standIn.StartAsync();

        Assert.Equal(port, _standIn.Port);
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
        _standIn.Faults.RefuseConnections = true;
        await using var pool = Pools.For(_standIn);
        var error = await Assert.ThrowsAsync<ConnectionCreateException>(() => pool.RunAsync((c, ct) => c.HealthAsync(ct)));
        Assert.Equal(StatusCode.Unavailable, Assert.IsType<RpcException>(error.InnerException).StatusCode);
        Assert.True(_standIn.RefusedConnections >= 1);
        Assert.Equal(0, _standIn.AcceptedConnections);

        _standIn.Faults.RefuseConnections = false;
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
        Assert.Equal(1, _standIn.AcceptedConnections);
    }

    [Fact]
    public async Task Calls_are_counted_per_method_and_latency_delays_them()
    {
        await using var pool = Pools.For(_standIn, maxSize: 1);
        await pool.RunAsync((c, ct) => c.ListCollectionsAsync(ct));
        _standIn.Faults.Latency = TimeSpan.FromMilliseconds(150);
        var clock = Stopwatch.StartNew();
        await pool.RunAsync((c, ct) => c.ListCollectionsAsync(ct));
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(140), $"took only {clock.Elapsed}");

        Assert.Equal(2, _standIn.CallCount("qdrant.Collections/List"));
        Assert.Equal(1, _standIn.CallCount("qdrant.Qdrant/HealthCheck"));
        Assert.Equal(0, _standIn.CallCount("qdrant.Points/Query"));
        Assert.Equal(2, _standIn.CallCounts.Count);
    }

    [Fact]
    public async Task One_connection_carries_more_than_Kestrels_default_100_streams()
    {
        var factory = new QdrantConnectionFactory(Pools.Options(_standIn.Address));
        var client = await factory.CreateAsync(CancellationToken.None);
        _standIn.Faults.Hang = true;
        using var cancel = new CancellationTokenSource();
        var calls = Enumerable.Range(0, 200).Select(_ => client.ListCollectionsAsync(cancel.Token)).ToArray();

        await Waits.UntilAsync(() => _standIn.CallsInFlight == 200, () => $"{_standIn.CallsInFlight} calls in flight");
        Assert.Equal(1, _standIn.OpenConnections);
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
        var outage = _standIn.OutageAsync(TimeSpan.FromSeconds(30), time);
        await Waits.UntilAsync(() => !_standIn.IsRunning, () => "the server never stopped");
        var factory = new QdrantConnectionFactory(Pools.Options(_standIn.Address));
        var down = await Assert.ThrowsAsync<RpcException>(() => factory.CreateAsync(CancellationToken.None).AsTask());
        Assert.Equal(StatusCode.Unavailable, down.StatusCode);

        time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(outage.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        await outage;
        Assert.True(_standIn.IsRunning);
        var client = await factory.CreateAsync(CancellationToken.None);
        await factory.DestroyAsync(client);
    }

    [Fact]
    public async Task FaultProbability_0_spares_every_call_and_1_hits_every_call()
    {
        var factory = new QdrantConnectionFactory(Pools.Options(_standIn.Address));
        var client = await factory.CreateAsync(CancellationToken.None);
        _standIn.Faults.Unavailable = true;

        _standIn.Faults.FaultProbability = 0;
        for (int i = 0; i < 20; i++)
        {
            await client.ListCollectionsAsync();
        }

        _standIn.Faults.FaultProbability = 1;
        for (int i = 0; i < 20; i++)
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => client.ListCollectionsAsync());
            Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        }

        Assert.Equal(40, _standIn.CallCount("qdrant.Collections/List"));
        await factory.DestroyAsync(client);
    }

    [Fact]
    public async Task FaultProbability_one_half_fails_about_half_of_the_calls_on_one_connection()
    {
        var factory = new QdrantConnectionFactory(Pools.Options(_standIn.Address));
        var client = await factory.CreateAsync(CancellationToken.None);
        _standIn.Faults.Unavailable = true;
        _standIn.Faults.FaultProbability = 0.5;
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
        Assert.Equal(1, _standIn.OpenConnections); // the failures were answers, not broken connections
        Assert.Equal(1, _standIn.AcceptedConnections);
        await factory.DestroyAsync(client);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void FaultProbability_outside_0_to_1_is_refused_with_its_name(double value)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => _standIn.Faults.FaultProbability = value);
        Assert.StartsWith("FaultProbability must be between 0 and 1.", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, _standIn.Faults.FaultProbability);
    }

    [Fact]
    public void Reset_sets_FaultProbability_back_to_1()
    {
        _standIn.Faults.FaultProbability = 0.25;
        _standIn.Faults.Reset();
        Assert.Equal(1, _standIn.Faults.FaultProbability);
    }

    [Fact]
    public async Task KillConnections_with_a_count_aborts_that_many_and_the_others_carry_on()
    {
        var factory = new QdrantConnectionFactory(Pools.Options(_standIn.Address));
        var clients = new List<global::Qdrant.Client.QdrantClient>();
        for (int i = 0; i < 3; i++)
        {
            clients.Add(await factory.CreateAsync(CancellationToken.None));
        }

        Assert.Equal(3, _standIn.OpenConnections);
        _standIn.Faults.Hang = true;
        using var cancel = new CancellationTokenSource();
        var calls = clients.Select(c => c.ListCollectionsAsync(cancel.Token)).ToList();
        await Waits.UntilAsync(() => _standIn.CallsInFlight == 3, () => $"{_standIn.CallsInFlight} calls in flight");

        Assert.Equal(1, _standIn.KillConnections(1));
        var broken = await Task.WhenAny(calls);
        var error = await Assert.ThrowsAsync<RpcException>(() => broken);
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        await Waits.UntilAsync(() => _standIn.OpenConnections == 2, () => $"{_standIn.OpenConnections} connections open");
        await Waits.UntilAsync(() => _standIn.CallsInFlight == 2, () => $"{_standIn.CallsInFlight} calls in flight");
        Assert.Equal(2, calls.Count(c => !c.IsCompleted));

        Assert.Equal(0, _standIn.KillConnections(0));
        Assert.Equal(2, _standIn.KillConnections(5));
        foreach (var call in calls.Where(c => c != broken))
        {
            Assert.Equal(StatusCode.Unavailable, (await Assert.ThrowsAsync<RpcException>(() => call)).StatusCode);
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => _standIn.KillConnections(-1));
        foreach (var client in clients)
        {
            await factory.DestroyAsync(client);
        }
    }
}
