using System.Diagnostics;
using Grpc.Core;
using Pool.Demo.Faults;
using Qdrant.Client;

namespace Pool.Demo.Load;

/// <summary>
/// One caller: upserts and queries in a loop until stopped, as an app does, with plain calls of the
/// pool's drop-in <see cref="QdrantClient"/> (the pool decides which channel carries each call and which
/// failures evict it), or, under chaos, on a lease it holds itself, with the client-side faults of its
/// <see cref="WorkerChaos"/>. Every call it starts ends in one <see cref="Outcome"/>; every lease it
/// holds itself is registered with the lease tracker.
/// </summary>
internal sealed class Worker(Rig rig, int index)
{
    private static readonly TimeSpan PauseAfterFailure = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan LongestRetryWait = TimeSpan.FromSeconds(2); // a RetryAfter is a hint: never trust it blindly
    private static readonly TimeSpan Idle = TimeSpan.FromMilliseconds(20);
    private readonly Random _random = new(unchecked((rig.Seed * 1_000_003) + index));
    private TimeSpan? _retryAfter; // the RetryAfter of this worker's last fast-failed call (one call at a time per worker)

    /// <summary>Runs until <paramref name="stop"/>; the call in progress then finishes (it is not cancelled by the stop).</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            if (index >= Rig.LullWorkers && rig.Lull)
            {
                await Task.Delay(Idle, CancellationToken.None);
                continue;
            }

            _retryAfter = null;
            var outcome = await CallAsync();
            rig.Violations.Check(rig.Pool.GetStatistics(), $"after a call of worker {index}");
            if (outcome == Outcome.FailedFast && _retryAfter is { } retryAfter)
            {
                // As a well-written app does: the pool said when its next probe dials, so wait that
                // long (bounded; the stop ends the wait) instead of failing again and again meanwhile.
                await PauseAsync(retryAfter < PauseAfterFailure ? PauseAfterFailure : retryAfter < LongestRetryWait ? retryAfter : LongestRetryWait, stop);
            }
            else if (outcome != Outcome.Succeeded)
            {
                // The app's own pause before it tries again; the pool itself never spins.
                await Task.Delay(PauseAfterFailure, CancellationToken.None);
            }
        }
    }

    private static async Task PauseAsync(TimeSpan wait, CancellationToken stop)
    {
        try
        {
            await Task.Delay(wait, stop);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped while waiting: the loop ends.
        }
    }

    private async Task<Outcome> CallAsync()
    {
        var chaos = rig.WorkerChaos;
        var call = Workload.Next(_random);
        bool explicitLease = Draw(chaos.ExplicitLeases);
        using var cancel = Draw(chaos.Cancel) ? new CancellationTokenSource() : null;
        if (cancel is not null)
        {
            rig.Faults.Add(FaultCounts.Cancel);
            int after = _random.Next(51);
            if (after == 0)
            {
                await cancel.CancelAsync();
            }
            else
            {
                cancel.CancelAfter(after);
            }
        }

        var token = cancel?.Token ?? CancellationToken.None;
        var started = rig.Clock.Elapsed;
        long start = Stopwatch.GetTimestamp();
        rig.Tally.Start();
        var (outcome, leased) = explicitLease ? await OnOwnLeaseAsync(call, token) : await ThroughClientAsync(call, token);
        rig.Tally.End(outcome, leased);
        if (outcome == Outcome.Succeeded)
        {
            rig.Tally.Record(call.Upsert, Stopwatch.GetElapsedTime(start));
            rig.Timeline.Succeeded(started);
        }
        else
        {
            rig.Timeline.Failed();
        }

        return outcome;
    }

    private async Task<(Outcome, bool Leased)> ThroughClientAsync(Workload.Call call, CancellationToken token)
    {
        try
        {
            bool right = await rig.Workload.RunAsync(rig.Pool.Client, call, token);
            rig.Tally.Leases();
            return (Answered(right), true);
        }
        catch (RpcException error) when (error.Status.DebugException is PoolExhaustedException or PoolUnavailableException or ConnectionCreateException or OperationCanceledException)
        {
            // The drop-in client found no channel for the call; the pool's own exception says why.
            return (Classify(error.Status.DebugException, leased: false, token), false);
        }
        catch (Exception error)
        {
            rig.Tally.Leases();
            return (Classify(error, leased: true, token), true);
        }
    }

    private async Task<(Outcome, bool Leased)> OnOwnLeaseAsync(Workload.Call call, CancellationToken token)
    {
        var chaos = rig.WorkerChaos;
        TimeSpan? timeout = null;
        if (Draw(chaos.ShortTimeout))
        {
            rig.Faults.Add(FaultCounts.ShortTimeout);
            timeout = TimeSpan.FromMilliseconds(1 + _random.Next(50));
        }

        PooledConnection<QdrantClient> lease;
        try
        {
            lease = await rig.Broker.AcquireAsync(timeout, token);
        }
        catch (Exception error)
        {
            return (Classify(error, leased: false, token), false);
        }

        rig.Tally.Leases();
        var client = lease.Connection;
        rig.Leases.Enter(client);
        try
        {
            var outcome = Answered(await rig.Workload.RunAsync(client, call, token));
            if (Draw(chaos.Hold))
            {
                rig.Faults.Add(FaultCounts.Hold);
                await Task.Delay(1 + _random.Next(20), CancellationToken.None);
            }

            if (Draw(chaos.Invalidate))
            {
                rig.Faults.Add(FaultCounts.Invalidate);
                lease.Invalidate();
            }

            return (outcome, true);
        }
        catch (Exception error)
        {
            // No invalidation by status code here: the drop-in client's calls evict a channel whose
            // transport failed, and a Qdrant answer never should.
            return (Classify(error, leased: true, token), true);
        }
        finally
        {
            // Given up before the return: the pool may hand the client to someone else at once.
            rig.Leases.Exit(client);
            await rig.Broker.ReturnAsync(lease);
        }
    }

    private Outcome Answered(bool right)
    {
        if (!right)
        {
            rig.Tally.WrongAnswer();
            rig.Violations.Add("A query did not find the point it asked for (a client answered for another call, or data was lost).");
        }

        return Outcome.Succeeded;
    }

    /// <summary>Sorts an error; anything not expected under the faults injected is a violation.</summary>
    private Outcome Classify(Exception error, bool leased, CancellationToken token)
    {
        var outcome = (error, leased) switch
        {
            (PoolExhaustedException, false) => Outcome.AcquireTimedOut,
            (PoolUnavailableException unavailable, false) => FailedFast(unavailable),
            (ConnectionCreateException, false) => Outcome.CreateFailed,
            (OperationCanceledException, false) when token.IsCancellationRequested => Outcome.AcquireCancelled,
            (RpcException { StatusCode: StatusCode.Unavailable or StatusCode.Internal or StatusCode.Unknown }, true) => Outcome.CallBroken,
            (RpcException { StatusCode: StatusCode.DeadlineExceeded }, true) => Outcome.CallDeadline,
            (RpcException { StatusCode: StatusCode.Cancelled }, true) => token.IsCancellationRequested ? Outcome.CallCancelled : Outcome.CallBroken,
            _ => Outcome.Unexpected,
        };
        if (outcome == Outcome.Unexpected)
        {
            string stage = leased ? "a call on a leased client" : "an acquire";
            rig.Violations.Add($"Unexpected error from {stage}: {error.GetType().Name}: {error.Message.Split('\n')[0]}");
        }

        return outcome;
    }

    private Outcome FailedFast(PoolUnavailableException error)
    {
        _retryAfter = error.RetryAfter;
        return Outcome.FailedFast;
    }

    private bool Draw(double chance) => chance > 0 && _random.NextDouble() < chance;
}
