using Grpc.Core;

namespace Pool.Qdrant.Internal;

/// <summary>
/// The <see cref="CallInvoker"/> of the drop-in <see cref="global::Qdrant.Client.QdrantClient"/>: every
/// call runs on a pooled channel it holds a shared lease on for exactly as long as the call lasts
/// (see <see cref="LeasedCall{TRequest, TResponse}"/>).
/// </summary>
internal sealed class PooledCallInvoker(ChannelLeases leases) : CallInvoker
{
    public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        // grpc-dotnet's own blocking call waits on its async one the same way.
        using var call = AsyncUnaryCall(method, host, options, request);
        return call.ResponseAsync.GetAwaiter().GetResult();
    }

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        leases.ThrowIfDisposed();
        var call = new LeasedCall<TRequest, TResponse>(leases, options, invoker => OpenedCall<TRequest, TResponse>.Of(invoker.AsyncUnaryCall(method, host, options, request)));
        return new AsyncUnaryCall<TResponse>(call.ResponseAsync(), Headers<TRequest, TResponse>, Status<TRequest, TResponse>, Trailers<TRequest, TResponse>, Dispose<TRequest, TResponse>, call);
    }

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        leases.ThrowIfDisposed();
        var call = new LeasedCall<TRequest, TResponse>(leases, options, invoker => OpenedCall<TRequest, TResponse>.Of(invoker.AsyncServerStreamingCall(method, host, options, request)));
        return new AsyncServerStreamingCall<TResponse>(new LeasedResponseStream<TRequest, TResponse>(call), Headers<TRequest, TResponse>, Status<TRequest, TResponse>, Trailers<TRequest, TResponse>, Dispose<TRequest, TResponse>, call);
    }

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options)
    {
        leases.ThrowIfDisposed();
        var call = new LeasedCall<TRequest, TResponse>(leases, options, invoker => OpenedCall<TRequest, TResponse>.Of(invoker.AsyncClientStreamingCall(method, host, options)));
        return new AsyncClientStreamingCall<TRequest, TResponse>(new LeasedRequestStream<TRequest, TResponse>(call), call.ResponseAsync(), Headers<TRequest, TResponse>, Status<TRequest, TResponse>, Trailers<TRequest, TResponse>, Dispose<TRequest, TResponse>, call);
    }

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options)
    {
        leases.ThrowIfDisposed();
        var call = new LeasedCall<TRequest, TResponse>(leases, options, invoker => OpenedCall<TRequest, TResponse>.Of(invoker.AsyncDuplexStreamingCall(method, host, options)));
        return new AsyncDuplexStreamingCall<TRequest, TResponse>(new LeasedRequestStream<TRequest, TResponse>(call), new LeasedResponseStream<TRequest, TResponse>(call), Headers<TRequest, TResponse>, Status<TRequest, TResponse>, Trailers<TRequest, TResponse>, Dispose<TRequest, TResponse>, call);
    }

    // The state-taking constructors of the call types, so headers are asked for only when the caller does.
    private static Task<Metadata> Headers<TRequest, TResponse>(object state)
        where TRequest : class
        where TResponse : class => ((LeasedCall<TRequest, TResponse>)state).HeadersAsync();

    private static Status Status<TRequest, TResponse>(object state)
        where TRequest : class
        where TResponse : class => ((LeasedCall<TRequest, TResponse>)state).GetStatus();

    private static Metadata Trailers<TRequest, TResponse>(object state)
        where TRequest : class
        where TResponse : class => ((LeasedCall<TRequest, TResponse>)state).GetTrailers();

    private static void Dispose<TRequest, TResponse>(object state)
        where TRequest : class
        where TResponse : class => ((LeasedCall<TRequest, TResponse>)state).Dispose();
}
