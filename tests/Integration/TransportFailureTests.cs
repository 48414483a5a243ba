using Pool.Qdrant.Internal;

namespace Pool.Tests.Integration;

/// <summary>The eviction policy as a table: which failures mean "this connection is broken".</summary>
public sealed class TransportFailureTests
{
    [Theory]
    [InlineData(StatusCode.Unavailable, true)]
    [InlineData(StatusCode.Internal, true)]
    [InlineData(StatusCode.Unknown, true)]
    [InlineData(StatusCode.Cancelled, true)] // Not asked for by the caller's token.
    [InlineData(StatusCode.DeadlineExceeded, true)]
    [InlineData(StatusCode.NotFound, false)]
    [InlineData(StatusCode.AlreadyExists, false)]
    [InlineData(StatusCode.InvalidArgument, false)]
    [InlineData(StatusCode.Unauthenticated, false)]
    [InlineData(StatusCode.PermissionDenied, false)]
    [InlineData(StatusCode.ResourceExhausted, false)]
    [InlineData(StatusCode.FailedPrecondition, false)]
    [InlineData(StatusCode.Aborted, false)]
    [InlineData(StatusCode.OutOfRange, false)]
    [InlineData(StatusCode.Unimplemented, false)]
    [InlineData(StatusCode.DataLoss, false)]
    [InlineData(StatusCode.OK, false)]
    public void Status_codes_that_mean_a_broken_connection_evict(StatusCode code, bool evicts) =>
        Assert.Equal(evicts, TransportFailure.IsTransportFailure(new RpcException(new Status(code, "x")), evictOnDeadline: true, CancellationToken.None));

    [Fact]
    public void Cancelled_by_the_callers_own_token_does_not_evict()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.False(TransportFailure.IsTransportFailure(new RpcException(new Status(StatusCode.Cancelled, "x")), evictOnDeadline: true, cancelled.Token));
    }

    [Fact]
    public void DeadlineExceeded_follows_the_option() =>
        Assert.False(TransportFailure.IsTransportFailure(new RpcException(new Status(StatusCode.DeadlineExceeded, "x")), evictOnDeadline: false, CancellationToken.None));

    [Fact]
    public void Exceptions_that_are_not_from_gRPC_do_not_evict()
    {
        Assert.False(TransportFailure.IsTransportFailure(new InvalidOperationException(), evictOnDeadline: true, CancellationToken.None));
        Assert.False(TransportFailure.IsTransportFailure(new ObjectDisposedException("mine"), evictOnDeadline: true, CancellationToken.None));
        Assert.False(TransportFailure.IsTransportFailure(new OperationCanceledException(), evictOnDeadline: true, CancellationToken.None));
    }
}
