using Grpc.Core;
using Qdrant.Client;

namespace Pool.Qdrant.Internal;

/// <summary>
/// One call's lease on one pooled channel. It returns exactly once, when the call ends (its response,
/// its error, the end of its stream, or its disposal), and decides on the way whether the channel is
/// broken, by the rule of <see cref="TransportFailure"/>: a transport failure invalidates the channel,
/// a deadline asks a probe on the same channel (in the background, holding this lease until it
/// answers, so the caller gets its error at once), and anything Qdrant answered keeps it.
/// </summary>
internal sealed class ChannelLease(ChannelLeases owner, PooledConnection<QdrantClient> lease, PooledQdrantConnection connection)
{
    // 0 until the lease is being returned; set by Interlocked so a response racing a disposal returns it once.
    private int _ended;

    public CallInvoker Invoker => connection.Invoker;

    /// <summary>Ends the call's lease.</summary>
    /// <param name="error">What the call failed with, or null when it ended well.</param>
    /// <param name="disposedByCaller">The caller disposed the call: its <c>Cancelled</c> says nothing about the channel.</param>
    /// <param name="callerToken">The call's token: a cancellation it asked for says nothing about the channel either.</param>
    public void End(Exception? error, bool disposedByCaller, CancellationToken callerToken)
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0)
        {
            return;
        }

        var verdict = error is null || (disposedByCaller && error is RpcException { StatusCode: StatusCode.Cancelled })
            ? TransportFailure.Verdict.Keep
            : TransportFailure.Classify(error, owner.EvictOnDeadline, callerToken);
        switch (verdict)
        {
            case TransportFailure.Verdict.Broken:
                connection.MarkBroken();
                lease.Invalidate();
                lease.Dispose();
                break;
            case TransportFailure.Verdict.Check when !connection.IsBroken && connection.TryStartProbe():
                _ = ProbeThenReturnAsync();
                break;
            default:
                // Kept; or a probe of this channel already runs and decides for this call too; or the
                // channel is already known broken and goes when its last call ends.
                lease.Dispose();
                break;
        }
    }

    private async Task ProbeThenReturnAsync()
    {
        try
        {
            // Its own deadline (HealthCheckTimeout), not the caller's token: a caller that gave up
            // must not cost a good channel its place.
            if (!await owner.Factory.ValidateAsync(lease.Connection, CancellationToken.None).ConfigureAwait(false))
            {
                connection.MarkBroken();
                lease.Invalidate();
            }
        }
        catch (Exception probeError) when (probeError is not OutOfMemoryException)
        {
            connection.MarkBroken();
            lease.Invalidate(); // A probe that cannot even run cannot vouch for the channel.
        }
        finally
        {
            connection.EndProbe();
            lease.Dispose();
        }
    }
}
