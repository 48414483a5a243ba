using Pool.Qdrant.Internal;

namespace Pool.Tests.Integration;

/// <summary>
/// The eviction rule over real gRPC: Qdrant's own error answers keep the client and its connection
/// (no reconnect at all); a failed transport evicts it. Validation on borrow is off in these pools,
/// so every eviction counted is the call's own verdict.
/// </summary>
public sealed class ServerAnswerOrBrokenConnectionTests : StandInPerTest
{
    private const string HealthCheck = "qdrant.Qdrant/HealthCheck";

    [Theory]
    [MemberData(nameof(QdrantErrorAnswers.All), MemberType = typeof(QdrantErrorAnswers))]
    public async Task Qdrant_answering_an_error_over_a_healthy_connection_evicts_nothing_and_reconnects_nothing(StatusCode code)
    {
        await using var pool = NewPool();
        await ListAsync(pool);
        long accepted = StandIn.AcceptedConnections;

        StandIn.Faults.AnswerNextCallsWith(code, 3);
        for (int i = 0; i < 3; i++)
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => ListAsync(pool));
            Assert.Equal(code, error.StatusCode);
            Assert.EndsWith("(stand-in answer)", error.Status.Detail, StringComparison.Ordinal);
            Assert.Equal("1", error.Trailers.GetValue("x-qdrant-stand-in-error")); // the server sent it
            Assert.Null(error.Status.DebugException);                              // the client's transport did not fail
        }

        Assert.Equal(0, StandIn.Faults.ServerErrorCallsLeft);
        Assert.Empty(await ListAsync(pool));

        var stats = pool.GetStatistics();
        Assert.Equal((1L, 0L), (stats.Created, stats.Destroyed));
        Assert.Equal((1L, 0L), (pool.Factory.Created, pool.Factory.Destroyed));
        Assert.Equal(accepted, StandIn.AcceptedConnections);
        Assert.Equal(1, StandIn.OpenConnections);

        // A deadline the server sent is checked by one probe each, which answers: the proof it was an answer.
        Assert.Equal(1 + (code == StatusCode.DeadlineExceeded ? 3 : 0), StandIn.CallCount(HealthCheck));
    }

    [Fact]
    public async Task A_share_of_Unavailable_and_Internal_answers_under_load_evicts_nothing()
    {
        await using var pool = NewPool(maxSize: 4);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => ListAsync(pool)));

        StandIn.Faults.ServerErrorProbability = 0.2;
        int failed = 0;
        foreach (var code in new[] { StatusCode.Unavailable, StatusCode.Internal })
        {
            StandIn.Faults.ServerError = code;
            var calls = Enumerable.Range(0, 200).Select(_ => ListAsync(pool)).ToList();
            foreach (var call in calls)
            {
                try
                {
                    await call;
                }
                catch (RpcException e) when (e.StatusCode == code)
                {
                    failed++;
                }
            }
        }

        // Binomial(400, 0.2): mean 80, standard deviation 8; 40..120 is 5 of them either side.
        Assert.InRange(failed, 40, 120);
        // The load may still have opened the clients the warm-up did not need (up to MaxSize), but
        // every connection the server accepted belongs to a client that is still alive.
        await Waits.UntilAsync(() => pool.GetStatistics().Creating == 0, () => "a create is still running");
        var stats = pool.GetStatistics();
        Assert.Equal(0L, stats.Destroyed);
        Assert.InRange(stats.Created, 1, 4);
        Assert.Equal(stats.Created, StandIn.AcceptedConnections);
    }

    [Fact]
    public async Task Stopping_the_server_evicts_the_client_with_a_transport_failure_and_a_restart_serves_again()
    {
        await using var pool = NewPool();
        await ListAsync(pool);
        await StandIn.StopAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => ListAsync(pool));
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.True(TransportFailure.CameFromTheTransport(error.Status.DebugException), $"debug exception: {error.Status.DebugException}");
        Assert.Equal(1, pool.GetStatistics().DestroyedInvalidated);

        await StandIn.StartAsync();
        await ListAsync(pool);
        Assert.Equal((2L, 1L), (pool.GetStatistics().Created, pool.GetStatistics().Destroyed));
    }

    [Fact]
    public async Task A_connection_refused_when_the_channel_reconnects_evicts_its_client()
    {
        // Even after the client's channel has left Ready, the first call may still be written to the dead
        // connection (the HTTP handler learns of the cut on its own schedule) and fail with a reset
        // instead of reconnecting. Both are transport failures that must evict the client, and every
        // run asserts that; the scenario is set up again until a run's call met the refused reconnect.
        const int Runs = 5;
        for (int run = 1; !await CutTheConnectionAndCallAsync(); run++)
        {
            Assert.True(run < Runs, $"in {Runs} runs no call after the cut tried to reconnect");
        }
    }

    /// <summary>Returns whether the call after the cut met a refused reconnect (rather than a reset of the old connection).</summary>
    private async Task<bool> CutTheConnectionAndCallAsync()
    {
        StandIn.Faults.RefuseConnections = false;
        await using var pool = NewPool();
        var client = await pool.RunAsync((c, _) => Task.FromResult(c));
        Assert.Empty(await ListAsync(pool));
        Assert.True(pool.Factory.TryGetConnection(client, out var connection));
        Assert.Equal(ConnectivityState.Ready, connection.Channel.State);

        StandIn.Faults.RefuseConnections = true;
        long refusedBefore = StandIn.RefusedConnections;
        Assert.Equal(1, StandIn.KillConnections());
        await Waits.UntilAsync(() => connection.Channel.State != ConnectivityState.Ready, () => "the client never noticed its connection was cut");

        var error = await Assert.ThrowsAsync<RpcException>(() => ListAsync(pool));
        Assert.True(TransportFailure.CameFromTheTransport(error.Status.DebugException), $"debug exception: {error.Status.DebugException}");
        await Waits.UntilAsync(() => pool.Factory.LiveClients == 0, () => "the evicted client was never disposed");
        var stats = pool.GetStatistics();
        Assert.Equal((1L, 1L, 1L), (stats.Created, stats.Destroyed, stats.DestroyedInvalidated));

        bool reconnected = StandIn.RefusedConnections > refusedBefore;
        if (reconnected)
        {
            Assert.True(
                error.StatusCode == StatusCode.Unavailable,
                $"a refused reconnect should fail the call as Unavailable; got {error.StatusCode}: {error.Status.DebugException}");
        }

        return reconnected;
    }

    [Fact]
    public async Task A_deadline_on_a_black_holed_connection_fails_the_probe_too_and_evicts_the_client()
    {
        await using var pool = NewPool(configure: o =>
        {
            o.GrpcTimeout = TimeSpan.FromMilliseconds(300);
            o.HealthCheckTimeout = TimeSpan.FromMilliseconds(300);
        });
        await ListAsync(pool);
        Assert.Equal(1, StandIn.HangConnections(1));

        var error = await Assert.ThrowsAsync<RpcException>(() => ListAsync(pool));
        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.Equal(1, pool.GetStatistics().DestroyedInvalidated);
        Assert.Equal(2, StandIn.CallCount(HealthCheck)); // the create's probe, then the one that hung

        // The replacement opens a new connection, which is not black-holed.
        Assert.Empty(await ListAsync(pool));
        Assert.Equal((2L, 1L), (pool.GetStatistics().Created, pool.GetStatistics().Destroyed));
        Assert.Equal(2, StandIn.AcceptedConnections);
    }

    [Fact]
    public async Task A_slow_query_past_its_deadline_on_a_good_connection_keeps_the_client()
    {
        await using var pool = NewPool(configure: o => o.GrpcTimeout = TimeSpan.FromMilliseconds(300));
        await ListAsync(pool);
        StandIn.Faults.SpareHealthCheck = true;
        StandIn.Faults.Latency = TimeSpan.FromSeconds(1);

        var error = await Assert.ThrowsAsync<RpcException>(() => ListAsync(pool));
        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.Equal((1L, 0L), (pool.GetStatistics().Created, pool.GetStatistics().Destroyed));
        Assert.Equal(2, StandIn.CallCount(HealthCheck));
        Assert.Equal(1, StandIn.AcceptedConnections);
    }

    private static Task<IReadOnlyList<string>> ListAsync(QdrantClientPool pool) => pool.RunAsync((c, ct) => c.ListCollectionsAsync(ct));

    private QdrantClientPool NewPool(int maxSize = 1, Action<QdrantPoolOptions>? configure = null) =>
        Pools.For(StandIn, maxSize, o =>
        {
            o.Pool.ValidateAfterIdle = Timeout.InfiniteTimeSpan;
            configure?.Invoke(o);
        });
}
