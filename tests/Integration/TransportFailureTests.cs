using System.Net.Http;
using System.Net.Sockets;
using Pool.Qdrant.Internal;
using static Pool.Qdrant.Internal.TransportFailure.Verdict;

namespace Pool.Tests.Integration;

/// <summary>
/// The eviction rule as a table: a status alone never says "broken" (Qdrant sends them all over healthy
/// connections); an exception from the client's HTTP/2 transport does; a deadline asks for a probe.
/// </summary>
public sealed class TransportFailureTests
{
    [Theory]
    [InlineData(StatusCode.Unavailable, nameof(Keep))]
    [InlineData(StatusCode.Internal, nameof(Keep))]
    [InlineData(StatusCode.Unknown, nameof(Keep))]
    [InlineData(StatusCode.Cancelled, nameof(Broken))] // Not asked for by the caller's token.
    [InlineData(StatusCode.DeadlineExceeded, nameof(Check))]
    [InlineData(StatusCode.NotFound, nameof(Keep))]
    [InlineData(StatusCode.AlreadyExists, nameof(Keep))]
    [InlineData(StatusCode.InvalidArgument, nameof(Keep))]
    [InlineData(StatusCode.Unauthenticated, nameof(Keep))]
    [InlineData(StatusCode.PermissionDenied, nameof(Keep))]
    [InlineData(StatusCode.ResourceExhausted, nameof(Keep))]
    [InlineData(StatusCode.FailedPrecondition, nameof(Keep))]
    [InlineData(StatusCode.Aborted, nameof(Keep))]
    [InlineData(StatusCode.OutOfRange, nameof(Keep))]
    [InlineData(StatusCode.Unimplemented, nameof(Keep))]
    [InlineData(StatusCode.DataLoss, nameof(Keep))]
    [InlineData(StatusCode.OK, nameof(Keep))]
    public void A_status_the_server_sent_is_judged_by_its_code_alone(StatusCode code, string verdict) =>
        Assert.Equal(Enum.Parse<TransportFailure.Verdict>(verdict), TransportFailure.Classify(new RpcException(new Status(code, "x")), evictOnDeadline: false, CancellationToken.None));

    public static TheoryData<StatusCode, Exception> TransportExceptions => new()
    {
        { StatusCode.Unavailable, new HttpRequestException("Connection refused", new SocketException((int)SocketError.ConnectionRefused)) },
        { StatusCode.Unavailable, new SocketException((int)SocketError.ConnectionReset) },
        { StatusCode.Internal, new IOException("The response ended prematurely.") },
        { StatusCode.Unknown, new InvalidOperationException("wrapped", new IOException("reset")) },
        { StatusCode.Unavailable, new AggregateException(new InvalidOperationException("first"), new HttpRequestException("second")) },
        { StatusCode.DeadlineExceeded, new HttpRequestException("connect timed out") },
        { StatusCode.ResourceExhausted, new HttpRequestException("even a code Qdrant sends") },
    };

    [Theory]
    [MemberData(nameof(TransportExceptions))]
    public void An_exception_of_the_HTTP_transport_behind_any_status_means_broken(StatusCode code, Exception debug) =>
        Assert.Equal(Broken, TransportFailure.Classify(new RpcException(new Status(code, "x", debug)), evictOnDeadline: false, CancellationToken.None));

    [Fact]
    public void A_debug_exception_that_is_not_the_transports_leaves_the_status_to_decide()
    {
        var notTransport = new InvalidOperationException("a bug", new FormatException("inner"));
        Assert.Equal(Keep, TransportFailure.Classify(new RpcException(new Status(StatusCode.Unavailable, "x", notTransport)), evictOnDeadline: false, CancellationToken.None));
        Assert.False(TransportFailure.CameFromTheTransport(null));
    }

    [Fact]
    public void Cancelled_by_the_callers_own_token_keeps_the_client_even_with_a_transport_exception()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.Equal(Keep, TransportFailure.Classify(new RpcException(new Status(StatusCode.Cancelled, "x")), evictOnDeadline: false, cancelled.Token));
        Assert.Equal(Keep, TransportFailure.Classify(new RpcException(new Status(StatusCode.Cancelled, "x", new IOException("aborted"))), evictOnDeadline: false, cancelled.Token));
    }

    [Fact]
    public void EvictOnDeadlineExceeded_turns_the_probe_into_an_eviction() =>
        Assert.Equal(Broken, TransportFailure.Classify(new RpcException(new Status(StatusCode.DeadlineExceeded, "x")), evictOnDeadline: true, CancellationToken.None));

    [Fact]
    public void Exceptions_that_are_not_from_gRPC_keep_the_client()
    {
        Assert.Equal(Keep, TransportFailure.Classify(new InvalidOperationException(), evictOnDeadline: true, CancellationToken.None));
        Assert.Equal(Keep, TransportFailure.Classify(new ObjectDisposedException("mine"), evictOnDeadline: true, CancellationToken.None));
        Assert.Equal(Keep, TransportFailure.Classify(new OperationCanceledException(), evictOnDeadline: true, CancellationToken.None));
        Assert.Equal(Keep, TransportFailure.Classify(new IOException("the caller's own file"), evictOnDeadline: true, CancellationToken.None));
    }
}
