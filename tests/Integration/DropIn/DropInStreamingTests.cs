using Google.Protobuf;
using Qdrant.Client.Grpc;

namespace Pool.Tests.Integration.DropIn;

/// <summary>
/// Streaming calls through the pooled invoker hold their lease until the stream ends or the call is
/// disposed. Qdrant has no streaming methods; the health check, unary on the server, looks to a
/// client like a stream of one message.
/// </summary>
public sealed class DropInStreamingTests : StandInPerTest
{
    private static readonly Marshaller<HealthCheckRequest> Request = Marshallers.Create(r => r.ToByteArray(), HealthCheckRequest.Parser.ParseFrom);
    private static readonly Marshaller<HealthCheckReply> Reply = Marshallers.Create(r => r.ToByteArray(), HealthCheckReply.Parser.ParseFrom);

    [Fact]
    public async Task A_server_stream_holds_its_lease_until_it_ends()
    {
        await using var pool = Pools.DropIn(StandIn);
        using var call = ServerStream(pool);
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal("qdrant - vector search engine", call.ResponseStream.Current.Title);
        Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        Assert.Equal(0, pool.GetStatistics().Leases);
        Assert.Equal(0, pool.GetStatistics().Destroyed);
    }

    [Fact]
    public async Task A_server_stream_disposed_unread_returns_its_lease_and_keeps_its_channel()
    {
        await using var pool = Pools.DropIn(StandIn);
        var call = await ServerStreamOnAHangingServerAsync(pool);
        await Waits.UntilAsync(() => StandIn.CallsInFlight == 1, () => "the call never reached the server");
        Assert.Equal(1, pool.GetStatistics().Leases);
        call.Dispose();

        Assert.Equal(0, pool.GetStatistics().Leases);

        // As grpc-dotnet's own calls do: a disposed call cannot be read.
        await Assert.ThrowsAsync<ObjectDisposedException>(() => call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(0, pool.GetStatistics().Destroyed);
    }

    [Fact]
    public async Task A_read_cancelled_by_its_own_token_returns_the_lease_and_keeps_the_channel()
    {
        await using var pool = Pools.DropIn(StandIn);
        using var call = await ServerStreamOnAHangingServerAsync(pool);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(cancel.Token));
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        Assert.Equal(0, pool.GetStatistics().Leases);
        Assert.Equal(0, pool.GetStatistics().Destroyed);
    }

    [Fact]
    public async Task A_client_stream_returns_its_lease_with_its_response()
    {
        await using var pool = Pools.DropIn(StandIn);
        using var call = pool.Invoker.AsyncClientStreamingCall(Method(MethodType.ClientStreaming), null, new CallOptions());
        await SendOneRequestAndCompleteAsync(call.RequestStream);
        Assert.Equal("qdrant - vector search engine", (await call.ResponseAsync).Title);
        Assert.Equal(0, pool.GetStatistics().Leases);
    }

    [Fact]
    public async Task A_duplex_stream_returns_its_lease_when_its_responses_end()
    {
        await using var pool = Pools.DropIn(StandIn);
        using var call = pool.Invoker.AsyncDuplexStreamingCall(Method(MethodType.DuplexStreaming), null, new CallOptions());
        await SendOneRequestAndCompleteAsync(call.RequestStream);
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.False(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(0, pool.GetStatistics().Leases);
    }

    [Fact]
    public async Task A_call_whose_wait_for_a_channel_fails_reports_that_status()
    {
        await using var pool = Pools.DropIn(StandIn);
        await StandIn.StopAsync();
        using var call = ServerStream(pool);
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.IsAssignableFrom<Exception>(error.Status.DebugException);
        Assert.Equal(StatusCode.Unavailable, call.GetStatus().StatusCode);
        Assert.Equal(0, pool.GetStatistics().Leases);
    }

    private static Method<HealthCheckRequest, HealthCheckReply> Method(MethodType type) => new(type, "qdrant.Qdrant", "HealthCheck", Request, Reply);

    private static AsyncServerStreamingCall<HealthCheckReply> ServerStream(QdrantClientPool pool) =>
        pool.Invoker.AsyncServerStreamingCall(Method(MethodType.ServerStreaming), null, new CallOptions(), new HealthCheckRequest());

    /// <summary>A server stream started after the channel is open and the stand-in hangs every call: it holds its lease, unanswered.</summary>
    private async Task<AsyncServerStreamingCall<HealthCheckReply>> ServerStreamOnAHangingServerAsync(QdrantClientPool pool)
    {
        await pool.Client.HealthAsync();
        StandIn.Faults.Hang = true;
        return ServerStream(pool);
    }

    private static async Task SendOneRequestAndCompleteAsync(IClientStreamWriter<HealthCheckRequest> requests)
    {
        await requests.WriteAsync(new HealthCheckRequest());
        await requests.CompleteAsync();
    }
}
