using Pool.Qdrant.Internal;
using Qdrant.Client.Grpc;

namespace Pool.Tests.Integration;

public sealed class EvictionTests : StandInPerTest
{
    // Faults hit the calls under test, not the probes that create clients.
    protected override void Arrange(QdrantStandInFaults faults) => faults.SpareHealthCheck = true;

    [Fact]
    public async Task A_client_whose_connection_is_killed_mid_call_is_evicted_and_the_next_call_gets_a_new_one()
    {
        await using var pool = Pools.For(StandIn, maxSize: 1);
        await ListAsync(pool);

        StandIn.Faults.Hang = true;
        var hung = ListAsync(pool);
        await Waits.UntilAsync(() => StandIn.CallsInFlight == 1, () => "the call never reached the server");
        Assert.Equal(1, StandIn.KillConnections());

        var error = await Assert.ThrowsAsync<RpcException>(() => hung);
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.True(TransportFailure.CameFromTheTransport(error.Status.DebugException), $"debug exception: {error.Status.DebugException}");
        Assert.Equal(1, pool.GetStatistics().Destroyed);

        StandIn.Faults.Hang = false;
        await ListAsync(pool);
        var stats = pool.GetStatistics();
        Assert.Equal(2, stats.Created);
        Assert.Equal(1, stats.Destroyed);
        await QuietPoint.AssertCountsMatchAsync(pool, StandIn, 1);
    }

    [Fact]
    public async Task An_Unavailable_answer_from_the_server_keeps_the_client()
    {
        await using var pool = Pools.For(StandIn, maxSize: 1);
        await ListAsync(pool);
        StandIn.Faults.Unavailable = true;
        var error = await Assert.ThrowsAsync<RpcException>(() => ListAsync(pool));
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal(0, pool.GetStatistics().Destroyed);
        Assert.Equal(1, StandIn.AcceptedConnections);
    }

    // The health check answers (SpareHealthCheck), so the probe after the deadline keeps the client
    // unless EvictOnDeadlineExceeded skips it.
    [Theory]
    [InlineData(true, 1)]
    [InlineData(false, 0)]
    public async Task DeadlineExceeded_evicts_only_when_the_probe_fails_or_the_option_says_so(bool evict, int destroyed)
    {
        await using var pool = Pools.For(StandIn, maxSize: 1, configure: o =>
        {
            o.GrpcTimeout = TimeSpan.FromMilliseconds(200);
            o.EvictOnDeadlineExceeded = evict;
        });
        await ListAsync(pool);
        StandIn.Faults.Hang = true;
        var error = await Assert.ThrowsAsync<RpcException>(() => ListAsync(pool));
        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.Equal(destroyed, pool.GetStatistics().Destroyed);
    }

    [Fact]
    public async Task Cancelling_a_call_with_the_callers_token_keeps_the_client()
    {
        await using var pool = Pools.For(StandIn, maxSize: 1);
        await ListAsync(pool);
        StandIn.Faults.Hang = true;
        using var cancel = new CancellationTokenSource();
        var call = pool.RunAsync((c, ct) => c.ListCollectionsAsync(ct), cancel.Token);
        await Waits.UntilAsync(() => StandIn.CallsInFlight == 1, () => "the call never reached the server");
        await cancel.CancelAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => call);
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        Assert.Equal(0, pool.GetStatistics().Destroyed);
        StandIn.Faults.Hang = false;
        await ListAsync(pool);
        Assert.Equal(1, pool.GetStatistics().Created);
    }

    [Fact]
    public async Task Qdrant_answers_that_are_errors_keep_the_client()
    {
        await using var pool = Pools.For(StandIn, maxSize: 1);
        var missing = await Assert.ThrowsAsync<RpcException>(() =>
            pool.RunAsync((c, ct) => c.QueryAsync("missing", new[] { 1f }, cancellationToken: ct)));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        Assert.Equal("Not found: Collection `missing` doesn't exist!", missing.Status.Detail);

        await pool.RunAsync((c, ct) => c.CreateCollectionAsync("twice", new VectorParams { Size = 2, Distance = Distance.Dot }, cancellationToken: ct));
        var exists = await Assert.ThrowsAsync<RpcException>(() =>
            pool.RunAsync((c, ct) => c.CreateCollectionAsync("twice", new VectorParams { Size = 2, Distance = Distance.Dot }, cancellationToken: ct)));
        Assert.Equal(StatusCode.AlreadyExists, exists.StatusCode);

        var wrongSize = await Assert.ThrowsAsync<RpcException>(() =>
            pool.RunAsync((c, ct) => c.QueryAsync("twice", new[] { 1f, 2f, 3f }, cancellationToken: ct)));
        Assert.Equal(StatusCode.InvalidArgument, wrongSize.StatusCode);

        StandIn.Faults.RateLimitRetryAfter = TimeSpan.FromSeconds(2);
        var limited = await Assert.ThrowsAsync<RpcException>(() => ListAsync(pool));
        Assert.Equal(StatusCode.ResourceExhausted, limited.StatusCode);
        Assert.Equal("2", limited.Trailers.GetValue("retry-after"));

        var stats = pool.GetStatistics();
        Assert.Equal(1, stats.Created);
        Assert.Equal(0, stats.Destroyed);
    }

    [Fact]
    public async Task An_exception_of_the_callers_own_keeps_the_client_and_reaches_the_caller_unchanged()
    {
        await using var pool = Pools.For(StandIn, maxSize: 1);
        var thrown = new InvalidOperationException("caller's bug");
        var caught = await Assert.ThrowsAsync<InvalidOperationException>(() => pool.RunAsync((_, _) => Task.FromException(thrown)));
        Assert.Same(thrown, caught);
        Assert.Equal(0, pool.GetStatistics().Destroyed);
        Assert.Equal(0, pool.GetStatistics().InUse);
    }

    private static Task<IReadOnlyList<string>> ListAsync(QdrantClientPool pool) => pool.RunAsync((c, ct) => c.ListCollectionsAsync(ct));
}
