using Grpc.Core;

namespace Pool.Qdrant.Internal;

/// <summary>
/// One call of the drop-in client: it waits for a lease on the least busy channel, starts the real
/// call there, and returns the lease when the call ends: a unary or client-streaming call when its
/// response or error arrives, a server-streaming or duplex call when its response stream ends or
/// fails; any call when the caller disposes it. Never twice (<see cref="ChannelLease"/>), never lost:
/// a start that throws returns the lease before the error reaches the caller.
/// </summary>
/// <remarks>
/// The call object is handed out before the lease is taken (gRPC's call types are returned
/// synchronously), so a disposal can race the start: each side publishes its half with a full fence
/// (Interlocked) and then reads the other's, so at least one of them sees both and tears down.
/// </remarks>
internal sealed class LeasedCall<TRequest, TResponse>
    where TRequest : class
    where TResponse : class
{
    private readonly ChannelLeases _leases;
    private readonly CancellationToken _callToken;
    private readonly Task<OpenedCall<TRequest, TResponse>> _start;
    private ChannelLease? _lease;                          // written once by the start, before _opened
    private OpenedCall<TRequest, TResponse>? _opened;      // written once by the start (Interlocked), read by Dispose and the accessors
    private int _disposed;                                 // 0 → 1 once by Dispose (Interlocked)

    public LeasedCall(ChannelLeases leases, CallOptions options, Func<CallInvoker, OpenedCall<TRequest, TResponse>> open)
    {
        _leases = leases;
        _callToken = options.CancellationToken;
        _start = StartAsync(options, open);
    }

    private bool Disposed => Volatile.Read(ref _disposed) != 0;

    private async Task<OpenedCall<TRequest, TResponse>> StartAsync(CallOptions options, Func<CallInvoker, OpenedCall<TRequest, TResponse>> open)
    {
        var lease = await _leases.AcquireAsync(options).ConfigureAwait(false);
        OpenedCall<TRequest, TResponse> opened;
        try
        {
            opened = open(lease.Invoker);
        }
        catch (Exception error)
        {
            lease.End(error, disposedByCaller: false, _callToken);
            throw;
        }

        Volatile.Write(ref _lease, lease);
        Interlocked.Exchange(ref _opened, opened);
        if (Disposed)
        {
            opened.Dispose();
            lease.End(null, disposedByCaller: true, _callToken);
        }

        return opened;
    }

    /// <summary>The response of a unary or client-streaming call; the lease returns with it.</summary>
    public async Task<TResponse> ResponseAsync()
    {
        var opened = await _start.ConfigureAwait(false);
        try
        {
            var response = await opened.Response!.ConfigureAwait(false);
            EndLease(null, default);
            return response;
        }
        catch (Exception error)
        {
            EndLease(error, default);
            throw;
        }
    }

    /// <summary>The next message of a server-streaming or duplex call; the lease returns when the stream ends or fails.</summary>
    public async Task<bool> MoveNextAsync(CancellationToken cancellationToken)
    {
        var opened = await _start.ConfigureAwait(false);
        try
        {
            bool more = await opened.Reader!.MoveNext(cancellationToken).ConfigureAwait(false);
            if (!more)
            {
                EndLease(null, cancellationToken);
            }

            return more;
        }
        catch (Exception error)
        {
            EndLease(error, cancellationToken);
            throw;
        }
    }

    public TResponse Current =>
        Volatile.Read(ref _opened) is { Reader: { } reader } ? reader.Current : throw new InvalidOperationException("No message has been read yet.");

    /// <summary>Sends a message once the call has started on its channel.</summary>
    public async Task WriteAsync(TRequest message, WriteOptions? writeOptions, CancellationToken cancellationToken)
    {
        var writer = (await _start.ConfigureAwait(false)).Writer!;
        writer.WriteOptions = writeOptions;
        await writer.WriteAsync(message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Closes the request stream once the call has started on its channel.</summary>
    public async Task CompleteAsync() =>
        await (await _start.ConfigureAwait(false)).Writer!.CompleteAsync().ConfigureAwait(false);

    public async Task<Metadata> HeadersAsync() =>
        await (await _start.ConfigureAwait(false)).Headers().ConfigureAwait(false);

    /// <summary>The call's status: the real call's once started, or the status the wait for a channel failed with.</summary>
    public Status GetStatus() => Volatile.Read(ref _opened) is { } opened
        ? opened.Status()
        : StartError() is RpcException rpc ? rpc.Status : throw new InvalidOperationException("Unable to get the status because the call is not complete.");

    public Metadata GetTrailers() => Volatile.Read(ref _opened) is { } opened
        ? opened.Trailers()
        : StartError() is RpcException rpc ? rpc.Trailers : throw new InvalidOperationException("Can't get the call trailers because the call has not completed successfully.");

    /// <summary>Cancels the call if it still runs and returns its lease (once it has one).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (Volatile.Read(ref _opened) is { } opened)
        {
            opened.Dispose();
            Volatile.Read(ref _lease)?.End(null, disposedByCaller: true, _callToken);
        }
        else if (_start.IsFaulted)
        {
            _ = _start.Exception; // observed: the caller chose not to look at a call that never started
        }
    }

    private Exception? StartError() => _start.IsFaulted ? _start.Exception!.InnerException : null;

    private void EndLease(Exception? error, CancellationToken readToken)
    {
        // A read the caller cancelled with its own token says nothing about the channel either.
        var callerToken = readToken.IsCancellationRequested ? readToken : _callToken;
        Volatile.Read(ref _lease)?.End(error, Disposed, callerToken);
    }
}
