using System.Globalization;
using Grpc.Core;

namespace Pool.Qdrant.Testing.Internal;

/// <summary>Runs every call of the stand-in: counts it, applies the faults switched on, then answers.</summary>
internal sealed class StandInService
{
    private const string HealthCheck = "qdrant.Qdrant/HealthCheck";

    public StandInService(StandInState state) => State = state;

    public StandInState State { get; }

    public async Task<TResponse> RunAsync<TResponse>(string method, Func<TResponse> answer, ServerCallContext call)
    {
        State.CallStarted(method, HeadersOf(call));
        try
        {
            await ApplyFaultsAsync(method, call).ConfigureAwait(false);
            return answer();
        }
        finally
        {
            State.CallEnded();
        }
    }

    private async Task ApplyFaultsAsync(string method, ServerCallContext call)
    {
        string connectionId = call.GetHttpContext().Connection.Id;
        State.Tracker.CountCall(connectionId);

        // A faulted connection holds every call on it, health checks too: the path is slow or dead.
        if (State.Tracker.FaultOf(connectionId) is { } connectionFault)
        {
            if (connectionFault.Latency > TimeSpan.Zero)
            {
                await Task.Delay(connectionFault.Latency, call.CancellationToken).ConfigureAwait(false);
            }

            if (connectionFault.Hang)
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, call.CancellationToken).ConfigureAwait(false);
            }
        }

        var faults = State.Faults;
        bool health = method == HealthCheck;
        bool spared = (health && faults.SpareHealthCheck) || !faults.HitsThisCall();
        if (!spared)
        {
            if (faults.Latency > TimeSpan.Zero)
            {
                await Task.Delay(faults.Latency, call.CancellationToken).ConfigureAwait(false);
            }

            if (faults.Hang)
            {
                // Ends when the call's deadline passes, the client cancels, or the connection dies.
                await Task.Delay(Timeout.InfiniteTimeSpan, call.CancellationToken).ConfigureAwait(false);
            }

            if (faults.Unavailable)
            {
                throw new RpcException(new Status(StatusCode.Unavailable, "Service unavailable (stand-in fault)."));
            }
        }

        // Like Qdrant, the health check needs no key and is never rate limited.
        if (health)
        {
            return;
        }

        if (faults.RequiredApiKey is { } required)
        {
            string? key = call.RequestHeaders.GetValue("api-key") ?? BearerToken(call.RequestHeaders.GetValue("authorization"));
            if (key is null)
            {
                throw new RpcException(new Status(StatusCode.Unauthenticated, "Must provide an API key or an Authorization bearer token"));
            }

            if (!string.Equals(key, required, StringComparison.Ordinal))
            {
                throw new RpcException(new Status(StatusCode.Unauthenticated, "Invalid api-key"));
            }
        }

        // Qdrant's own error answers come after authentication, as a real node's would.
        if (faults.ServerErrorForThisCall() is { } serverError)
        {
            throw QdrantErrorAnswers.For(serverError, method);
        }

        if (faults.RateLimitRetryAfter is { } retryAfter)
        {
            var trailers = new Metadata { { "retry-after", ((long)retryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture) } };
            throw new RpcException(new Status(StatusCode.ResourceExhausted, "Too many requests: rate limit exceeded (stand-in fault)."), trailers);
        }
    }

    // Every header as the server received it (HTTP/2 pseudo-headers aside), including those gRPC
    // keeps out of RequestHeaders (grpc-encoding, te, content-type): tests read what the client sent.
    private static Dictionary<string, string> HeadersOf(ServerCallContext call) =>
        call.GetHttpContext().Request.Headers
            .Where(h => !h.Key.StartsWith(':'))
            .ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal);

    private static string? BearerToken(string? authorization) =>
        authorization is not null && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? authorization["Bearer ".Length..].Trim()
            : null;
}
