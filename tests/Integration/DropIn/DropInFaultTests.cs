namespace Pool.Tests.Integration.DropIn;

/// <summary>How the drop-in client's channels heal, spread and keep their places, with faults on the stand-in.</summary>
public sealed class DropInFaultTests(ITestOutputHelper output) : StandInPerTest
{
    protected override void Arrange(QdrantStandInFaults faults) => faults.SpareHealthCheck = true;

    [Fact]
    public async Task Calls_spread_over_three_channels_the_busiest_carrying_at_most_one_and_a_half_times_the_least()
    {
        await using var pool = ThreeChannels();
        await pool.Pool.WarmUpAsync();
        StandIn.Faults.Latency = TimeSpan.FromMilliseconds(5);
        StandIn.ResetCallsPerConnection();

        await Task.WhenAll(Enumerable.Range(0, 24).Select(async _ =>
        {
            for (int i = 0; i < 25; i++)
            {
                await pool.Client.ListCollectionsAsync();
            }
        }));

        var calls = StandIn.CallsPerConnection();
        output.WriteLine($"calls per connection: {string.Join(", ", calls)}");
        Assert.Equal(3, calls.Count);
        Assert.Equal(600, calls.Sum());
        Assert.True(calls.Max() <= 1.5 * calls.Min(), $"calls per connection: {string.Join(", ", calls)}");
        Assert.Equal(3, StandIn.AcceptedConnections);
    }

    [Fact]
    public async Task A_black_holed_channel_is_replaced_while_the_others_serve()
    {
        await using var pool = ThreeChannels(o =>
        {
            o.GrpcTimeout = TimeSpan.FromSeconds(1);
            o.HealthCheckTimeout = TimeSpan.FromSeconds(1);
        });
        await pool.Pool.WarmUpAsync();
        Assert.Equal(1, StandIn.HangConnections(1));

        int ok = 0, deadlines = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
        {
            while (clock.Elapsed < TimeSpan.FromSeconds(4))
            {
                try
                {
                    await pool.Client.ListCollectionsAsync();
                    Interlocked.Increment(ref ok);
                }
                catch (RpcException error) when (error.StatusCode == StatusCode.DeadlineExceeded)
                {
                    Interlocked.Increment(ref deadlines);
                }
            }
        }));

        output.WriteLine($"ok {ok}, deadlines {deadlines}");
        Assert.True(deadlines >= 1, "no call landed on the black hole");
        Assert.True(deadlines * 20 < ok, $"ok {ok}, deadlines {deadlines}: the other channels did not carry on");
        var stats = pool.GetStatistics();
        Assert.Equal(1, stats.DestroyedInvalidated);
        Assert.Equal(1, stats.Destroyed);
        Assert.Equal(4, stats.Created);
        await Waits.UntilAsync(() => StandIn.FaultedConnections == 0, () => "the black-holed connection is still open");
    }

    [Theory]
    [MemberData(nameof(QdrantErrorAnswers.All), MemberType = typeof(QdrantErrorAnswers))]
    public async Task Errors_Qdrant_answers_reach_the_caller_and_evict_no_channel(StatusCode answer)
    {
        await using var pool = ThreeChannels();
        await pool.Pool.WarmUpAsync();
        StandIn.Faults.ServerError = answer;
        StandIn.Faults.ServerErrorProbability = 0.3;

        int ok = 0, answered = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            for (int i = 0; i < 25; i++)
            {
                try
                {
                    await pool.Client.ListCollectionsAsync();
                    Interlocked.Increment(ref ok);
                }
                catch (RpcException error)
                {
                    Assert.Equal(answer, error.StatusCode);
                    Interlocked.Increment(ref answered);
                }
            }
        }));

        Assert.Equal(200, ok + answered);
        Assert.InRange(answered, 20, 120);
        var stats = pool.GetStatistics();
        Assert.Equal(0, stats.Destroyed);
        Assert.Equal(3, stats.Created);
        Assert.Equal(3, StandIn.AcceptedConnections);
        await Waits.UntilAsync(() => pool.GetStatistics().Leases == 0, () => "a lease was not returned");
    }

    [Fact]
    public async Task After_an_outage_calls_fail_as_Unavailable_and_are_served_again_within_two_seconds_of_the_restart()
    {
        await using var pool = ThreeChannels();
        await pool.Pool.WarmUpAsync();
        await StandIn.StopAsync();

        var down = await Assert.ThrowsAsync<RpcException>(() => pool.Client.ListCollectionsAsync());
        Assert.Equal(StatusCode.Unavailable, down.StatusCode);
        await Waits.UntilAsync(
            async () =>
            {
                var error = await Assert.ThrowsAsync<RpcException>(() => pool.Client.ListCollectionsAsync());
                Assert.Equal(StatusCode.Unavailable, error.StatusCode);
                return pool.GetStatistics().IsUnavailable;
            },
            () => "the pool never opened its fast-fail window");

        await StandIn.StartAsync();
        var back = Stopwatch.StartNew();
        await Waits.UntilAsync(
            async () =>
            {
                try
                {
                    await pool.Client.ListCollectionsAsync();
                    return true;
                }
                catch (RpcException error) when (error.StatusCode == StatusCode.Unavailable)
                {
                    return false;
                }
            },
            () => "no call was served after the restart");
        output.WriteLine($"served again after {back.Elapsed.TotalMilliseconds:F0} ms");
        Assert.True(back.Elapsed < TimeSpan.FromSeconds(2), $"served again after {back.Elapsed}");
    }

    [Fact]
    public async Task A_cancelled_call_returns_its_lease_and_keeps_its_channel()
    {
        await using var pool = ThreeChannels();
        await pool.Pool.WarmUpAsync();
        StandIn.Faults.Hang = true;
        using var cancel = new CancellationTokenSource();
        var call = pool.Client.ListCollectionsAsync(cancel.Token);
        await Waits.UntilAsync(() => StandIn.CallsInFlight == 1, () => "the call never reached the server");
        Assert.Equal(1, pool.GetStatistics().Leases);
        await cancel.CancelAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => call);
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        await Waits.UntilAsync(() => pool.GetStatistics().Leases == 0, () => "the cancelled call kept its lease");
        Assert.Equal(0, pool.GetStatistics().Destroyed);
    }

    [Fact]
    public async Task A_call_refused_before_it_is_sent_returns_its_lease_and_keeps_its_channel()
    {
        await using var pool = ThreeChannels(o => o.MaxSendMessageSize = 16);
        await pool.Pool.WarmUpAsync();
        var error = await Assert.ThrowsAsync<RpcException>(() => pool.Client.CreateCollectionAsync(
            "a-name-long-enough-to-pass-sixteen-bytes", new global::Qdrant.Client.Grpc.VectorParams { Size = 2 }));
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        var stats = pool.GetStatistics();
        Assert.Equal(0, stats.Leases);
        Assert.Equal(0, stats.Destroyed);
    }

    [Fact]
    public async Task A_connection_killed_under_a_call_evicts_only_that_channel()
    {
        await using var pool = Pools.DropIn(StandIn, o => (o.Pool.MinSize, o.Pool.MaxSize) = (1, 1));
        await pool.Client.HealthAsync();
        StandIn.Faults.Hang = true;
        var hung = pool.Client.ListCollectionsAsync();
        await Waits.UntilAsync(() => StandIn.CallsInFlight == 1, () => "the call never reached the server");
        Assert.Equal(1, StandIn.KillConnections());

        var error = await Assert.ThrowsAsync<RpcException>(() => hung);
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        StandIn.Faults.Hang = false;
        Assert.Empty(await pool.Client.ListCollectionsAsync());
        var stats = pool.GetStatistics();
        Assert.Equal(1, stats.DestroyedInvalidated);
        Assert.Equal(2, stats.Created);
    }

    // The binding's defaults (3 channels kept open, 100 calls each), capped at those 3.
    private QdrantClientPool ThreeChannels(Action<QdrantPoolOptions>? configure = null) => Pools.DropIn(StandIn, o =>
    {
        o.Pool.MaxSize = 3;
        configure?.Invoke(o);
    });
}
