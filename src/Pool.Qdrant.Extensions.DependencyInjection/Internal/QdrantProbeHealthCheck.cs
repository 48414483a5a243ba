using System.Globalization;
using Grpc.Core;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Pool.HealthChecks;

namespace Pool.Qdrant.Extensions.DependencyInjection.Internal;

/// <summary>
/// The pool's statistics check plus an active probe: a Health RPC through the drop-in client, so the
/// check reports Unhealthy when Qdrant cannot be reached even before the app sent a call. The probe's
/// answer is cached for <c>interval</c>, so a health endpoint polled often sends Qdrant at most one
/// probe per interval; checks that arrive while a probe runs share it. The probe's own timeout bounds it.
/// </summary>
internal sealed class QdrantProbeHealthCheck : IHealthCheck
{
    private readonly QdrantClientPool _pool;
    private readonly ConnectionPoolHealthCheck _statistics;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly TimeSpan _timeout;

    // Guards the two fields below; held only to read or swap them, never around the probe.
    private readonly object _gate = new();
    private ProbeResult? _last;        // guarded by _gate; the latest finished probe
    private Task<ProbeResult>? _running; // guarded by _gate; the probe in flight, shared by concurrent checks

    public QdrantProbeHealthCheck(QdrantClientPool pool, ConnectionPoolHealthCheck statistics, TimeProvider time, TimeSpan interval, TimeSpan timeout)
    {
        _pool = pool;
        _statistics = statistics;
        _time = time;
        _interval = interval;
        _timeout = timeout;
    }

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var pool = await _statistics.CheckHealthAsync(context, cancellationToken).ConfigureAwait(false);
        var probe = await ProbeAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        var data = new Dictionary<string, object>(pool.Data) { ["QdrantAnswered"] = probe.Answered };
        if (probe.Answered)
        {
            return new HealthCheckResult(pool.Status, pool.Description, pool.Exception, data);
        }

        var failure = context?.Registration?.FailureStatus ?? HealthStatus.Unhealthy;
        return new HealthCheckResult(failure, $"Qdrant did not answer a health check within {probe.Timeout.ToString("c", CultureInfo.InvariantCulture)}: {probe.Error}", null, data);
    }

    private Task<ProbeResult> ProbeAsync()
    {
        long now = _time.GetTimestamp();
        TaskCompletionSource<ProbeResult> mine;
        lock (_gate)
        {
            if (_last is { } last && _time.GetElapsedTime(last.At, now) < _interval)
            {
                return Task.FromResult(last);
            }

            if (_running is { } running)
            {
                return running;
            }

            mine = new TaskCompletionSource<ProbeResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            _running = mine.Task;
        }

        _ = RunProbeAsync(mine);
        return mine.Task;
    }

    private async Task RunProbeAsync(TaskCompletionSource<ProbeResult> result)
    {
        ProbeResult outcome;
        try
        {
            using var deadline = new CancellationTokenSource(_timeout, _time);
            await _pool.Client.HealthAsync(deadline.Token).ConfigureAwait(false);
            outcome = new ProbeResult(true, null, _timeout, _time.GetTimestamp());
        }
        catch (Exception error) when (error is RpcException or ObjectDisposedException or OperationCanceledException)
        {
            string reason = error is RpcException rpc ? $"{rpc.StatusCode}: {rpc.Status.Detail}" : error.Message;
            outcome = new ProbeResult(false, reason, _timeout, _time.GetTimestamp());
        }

        lock (_gate)
        {
            _last = outcome;
            _running = null;
        }

        result.SetResult(outcome);
    }

    private sealed record ProbeResult(bool Answered, string? Error, TimeSpan Timeout, long At);
}
