namespace Pool.Tests.Integration;

/// <summary>The stand-in's per-connection faults, Qdrant-style error answers and stream limit.</summary>
public sealed class StandInFaultTests : StandInPerTest
{
    private const string List = "qdrant.Collections/List";
    private readonly List<QdrantClient> _clients = [];
    private QdrantConnectionFactory? _factory;

    private QdrantConnectionFactory Factory => _factory ??= new QdrantConnectionFactory(Pools.Options(StandIn.Address));

    protected override async Task StoppingAsync()
    {
        foreach (var client in _clients)
        {
            await Factory.DestroyAsync(client);
        }
    }

    [Fact]
    public async Task HangConnections_holds_every_call_on_one_connection_while_the_others_answer()
    {
        var clients = await ClientsAsync(3);
        Assert.Equal(1, StandIn.HangConnections(1));
        Assert.Equal(1, StandIn.FaultedConnections);

        using var cancel = new CancellationTokenSource();
        var calls = clients.Select(c => c.ListCollectionsAsync(cancel.Token)).ToList();
        await Waits.UntilAsync(() => calls.Count(c => c.IsCompletedSuccessfully) == 2, () => "the two good connections did not answer");
        await Waits.UntilAsync(() => StandIn.CallsInFlight == 1, () => $"{StandIn.CallsInFlight} calls in flight");
        var hung = calls.Single(c => !c.IsCompleted);
        var hungClient = clients[calls.IndexOf(hung)];

        // Health checks on it hang too: a black hole answers nothing.
        using var probeCancel = new CancellationTokenSource();
        var probe = hungClient.HealthAsync(probeCancel.Token);
        await Waits.UntilAsync(() => StandIn.CallsInFlight == 2, () => $"{StandIn.CallsInFlight} calls in flight");
        Assert.False(probe.IsCompleted);

        StandIn.HealConnections();
        Assert.Equal(0, StandIn.FaultedConnections);
        Assert.Empty(await hungClient.ListCollectionsAsync()); // later calls are answered; the held ones stay held
        Assert.False(hung.IsCompleted);

        await cancel.CancelAsync();
        await probeCancel.CancelAsync();
        Assert.Equal(StatusCode.Cancelled, (await Assert.ThrowsAsync<RpcException>(() => hung)).StatusCode);
        Assert.Equal(StatusCode.Cancelled, (await Assert.ThrowsAsync<RpcException>(() => probe)).StatusCode);
        Assert.Equal(3, StandIn.OpenConnections); // nothing was broken
    }

    [Fact]
    public async Task SlowConnections_delays_the_calls_of_one_connection_only()
    {
        var clients = await ClientsAsync(2);
        var latency = TimeSpan.FromSeconds(2);
        Assert.Equal(2, StandIn.SlowConnections(5, latency)); // both open connections, though 5 were asked for
        Assert.Equal(0, StandIn.SlowConnections(1, latency)); // none left without a fault
        StandIn.HealConnections();
        Assert.Equal(1, StandIn.SlowConnections(1, latency));

        // The server's delay is a timer, which may fire a clock tick before the Stopwatch says the
        // latency passed (0.9989 s was seen for 1 s): the slow call is judged against the latency less
        // that slack; the latency is long enough that the fast call stays under it on a loaded machine.
        var slowAtLeast = latency - TimeSpan.FromMilliseconds(50);
        var times = await Task.WhenAll(clients.Select(TimeAsync));
        Assert.Single(times, t => t >= slowAtLeast);
        Assert.Single(times, t => t < slowAtLeast);
    }

    [Fact]
    public void Connection_faults_refuse_bad_arguments_with_their_names()
    {
        Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => StandIn.HangConnections(-1)).ParamName);
        Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => StandIn.SlowConnections(-1, TimeSpan.FromSeconds(1))).ParamName);
        Assert.Equal("latency", Assert.Throws<ArgumentOutOfRangeException>(() => StandIn.SlowConnections(1, TimeSpan.Zero)).ParamName);
        Assert.Equal(0, StandIn.HangConnections(1)); // no connection open yet
    }

    [Fact]
    public async Task AnswerNextCallsWith_fails_exactly_that_many_calls_and_spares_the_health_check()
    {
        var client = (await ClientsAsync(1))[0];
        StandIn.Faults.AnswerNextCallsWith(StatusCode.Internal, 2);
        Assert.Equal(2, StandIn.Faults.ServerErrorCallsLeft);

        Assert.Equal("qdrant - vector search engine", (await client.HealthAsync()).Title);
        for (int i = 0; i < 2; i++)
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => client.ListCollectionsAsync());
            Assert.Equal(StatusCode.Internal, error.StatusCode);
            Assert.Equal("Service internal error: out of memory (stand-in answer)", error.Status.Detail);
        }

        Assert.Empty(await client.ListCollectionsAsync());
        Assert.Equal(0, StandIn.Faults.ServerErrorCallsLeft);
        Assert.Equal(3, StandIn.CallCount(List));
        Assert.Equal(1, StandIn.AcceptedConnections);
    }

    [Theory]
    [InlineData(StatusCode.Unavailable, "Service unavailable: no active replica of shard 0 to serve qdrant.Collections/List (stand-in answer)")]
    [InlineData(StatusCode.DeadlineExceeded, "Timeout error: qdrant.Collections/List did not finish in time on the storage side (stand-in answer)")]
    [InlineData(StatusCode.Unknown, "Unknown error: the operation failed unexpectedly (stand-in answer)")]
    public async Task ServerError_answers_every_call_with_a_Qdrant_like_message_until_reset(StatusCode code, string detail)
    {
        var client = (await ClientsAsync(1))[0];
        StandIn.Faults.ServerError = code;
        for (int i = 0; i < 3; i++)
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => client.ListCollectionsAsync());
            Assert.Equal((code, detail), (error.StatusCode, error.Status.Detail));
        }

        StandIn.Faults.Reset();
        Assert.Null(StandIn.Faults.ServerError);
        Assert.Empty(await client.ListCollectionsAsync());
    }

    [Fact]
    public void ServerError_takes_only_the_codes_Qdrant_answers_with_over_a_healthy_connection()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => StandIn.Faults.ServerError = StatusCode.NotFound);
        Assert.StartsWith("A Qdrant server error is Unavailable, Internal, DeadlineExceeded or Unknown", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => StandIn.Faults.AnswerNextCallsWith(StatusCode.OK, 1));
        Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => StandIn.Faults.AnswerNextCallsWith(StatusCode.Unknown, -1)).ParamName);
        var share = Assert.Throws<ArgumentOutOfRangeException>(() => StandIn.Faults.ServerErrorProbability = 1.5);
        Assert.StartsWith("ServerErrorProbability must be between 0 and 1.", share.Message, StringComparison.Ordinal);
        Assert.Null(StandIn.Faults.ServerError);
    }

    [Fact]
    public async Task ServerErrorProbability_0_spares_every_call()
    {
        var client = (await ClientsAsync(1))[0];
        StandIn.Faults.ServerError = StatusCode.Unavailable;
        StandIn.Faults.ServerErrorProbability = 0;
        for (int i = 0; i < 20; i++)
        {
            await client.ListCollectionsAsync();
        }

        Assert.Equal(20, StandIn.CallCount(List));
    }

    [Theory]
    [InlineData(2, 2)]
    [InlineData(int.MaxValue, 4)]
    public async Task MaxStreamsPerConnection_queues_the_calls_beyond_it_on_the_same_connection(int limit, int peak)
    {
        await using var limited = await QdrantStandIn.StartAsync(new QdrantStandInOptions { MaxStreamsPerConnection = limit });
        var factory = new QdrantConnectionFactory(Pools.Options(limited.Address));
        var client = await factory.CreateAsync(CancellationToken.None);
        limited.Faults.Latency = TimeSpan.FromMilliseconds(500);
        limited.ResetPeakCallsInFlight();

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => client.ListCollectionsAsync()));

        Assert.Equal(peak, limited.PeakCallsInFlight);
        Assert.Equal(4, limited.CallCount(List));
        Assert.Equal(1, limited.AcceptedConnections); // queued on the one connection, not spread over new ones
        await factory.DestroyAsync(client);
    }

    private async Task<List<QdrantClient>> ClientsAsync(int count)
    {
        for (int i = 0; i < count; i++)
        {
            _clients.Add(await Factory.CreateAsync(CancellationToken.None));
        }

        Assert.Equal(count, StandIn.OpenConnections);
        return _clients;
    }

    private static async Task<TimeSpan> TimeAsync(QdrantClient client)
    {
        var clock = Stopwatch.StartNew();
        await client.ListCollectionsAsync();
        return clock.Elapsed;
    }
}
