using System.Globalization;
using Pool.Demo.CommandLine;
using Pool.Demo.Load;

namespace Pool.Demo.Checks;

/// <summary>
/// The checks once the load has stopped: every call completed (within a bound), every acquire is
/// accounted for, no worker still holds a lease, and the pool's counters agree exactly with what
/// the workers saw (measured from <see cref="Rig.Baseline"/>, the snapshot after the set-up).
/// </summary>
internal static class LoadChecks
{
    // Longer than any health probe's deadline (the binding's HealthCheckTimeout, 5 s by default).
    private static readonly TimeSpan ProbeSettle = TimeSpan.FromSeconds(6);

    /// <summary>Waits (bounded) for the workers; a worker still running means a call never completed.</summary>
    /// <returns>Whether every worker finished.</returns>
    public static async Task<bool> WorkersFinishedAsync(Rig rig, Task workers)
    {
        var bound = rig.Settings.StopTimeout;
        if (await Task.WhenAny(workers, Task.Delay(bound)) != workers)
        {
            var t = rig.Tally;
            rig.Violations.Add(string.Create(CultureInfo.InvariantCulture,
                $"Liveness violated: {t.Started - t.Completed} of {t.Started} calls had not completed {DurationText.Show(bound)} after the load stopped (an acquire or a call never ends)."));
        }
        else if (workers.Exception is { } crash)
        {
            rig.Violations.Add($"A worker crashed: {crash.InnerException?.GetType().Name}: {crash.InnerException?.Message}");
        }

        return workers.IsCompleted;
    }

    /// <summary>
    /// Every acquire started ended once: leased, or failed in one of the known ways. Once every worker
    /// has finished, no worker holds a lease and the pool has none out either.
    /// </summary>
    public static async Task AccountingAsync(Rig rig, bool workersFinished)
    {
        var t = rig.Tally;
        long started = t.Started, completed = t.Completed, leased = t.Leased, before = t.EndedBeforeLease;
        if (started != completed)
        {
            rig.Violations.Add($"Liveness violated: {started} calls started, {completed} ended.");
        }

        if (started != leased + before)
        {
            rig.Violations.Add($"Liveness violated: {started} acquires started, but {leased} leased + {before} failed = {leased + before}.");
        }

        if (!workersFinished)
        {
            return; // the hung calls hold leases; already reported
        }

        if (rig.Leases.Held != 0)
        {
            rig.Violations.Add($"I3 Conservation across hand-off violated: workers still hold {rig.Leases.Held} leases after every worker stopped.");
        }

        int leases = await LeasesOutAsync(rig);
        if (leases != 0)
        {
            rig.Violations.Add($"I3 Conservation across hand-off violated: the pool has {leases} leases out after every worker stopped and gave back what it held (a lease was never returned).");
        }
    }

    /// <summary>
    /// The leases still out, once the probes the drop-in client started after deadlines have answered:
    /// each holds its channel's lease (at most a health check's deadline) after its caller got the error.
    /// </summary>
    private static async Task<int> LeasesOutAsync(Rig rig)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int leases;
        while ((leases = rig.Pool.GetStatistics().Leases) != 0 && clock.Elapsed < ProbeSettle)
        {
            await Task.Delay(10);
        }

        return leases;
    }

    /// <summary>
    /// The pool counted what the workers saw. Exact: acquire timeouts, fast failures. Bounded: an
    /// acquire can be counted by the pool and still fail, when its validation fails (the connection
    /// is destroyed and the acquire goes on) or its caller cancels during validation; only waiters
    /// are counted as cancelled; a failed create fails at most one waiter (I2).
    /// </summary>
    public static void Counters(Rig rig)
    {
        var s = rig.Pool.GetStatistics();
        var b = rig.Baseline;
        var t = rig.Tally;
        long timedOut = s.TimedOut - b.TimedOut, failedFast = s.FailedFast - b.FailedFast, cancelled = s.Cancelled - b.Cancelled;
        long acquired = s.Acquired - b.Acquired, validationFailed = s.DestroyedValidationFailed - b.DestroyedValidationFailed;
        long createFailures = s.CreateFailures - b.CreateFailures;
        if (timedOut != t.Count(Outcome.AcquireTimedOut))
        {
            rig.Violations.Add($"Counters match outcomes violated: the pool counted {timedOut} acquire timeouts, the workers got {t.Count(Outcome.AcquireTimedOut)} PoolExhaustedExceptions.");
        }

        if (failedFast != t.Count(Outcome.FailedFast))
        {
            rig.Violations.Add($"Counters match outcomes violated: the pool counted {failedFast} fast failures, the workers got {t.Count(Outcome.FailedFast)} PoolUnavailableExceptions.");
        }

        if (cancelled > t.Count(Outcome.AcquireCancelled))
        {
            rig.Violations.Add($"Counters match outcomes violated: the pool counted {cancelled} cancelled waiters, the workers saw only {t.Count(Outcome.AcquireCancelled)} cancelled acquires.");
        }

        long unexplained = acquired - t.Leased - validationFailed;
        long cancelledUncounted = t.Count(Outcome.AcquireCancelled) - cancelled;
        if (unexplained < 0 || unexplained > cancelledUncounted)
        {
            rig.Violations.Add($"Counters match outcomes violated: the pool counted {acquired} leases begun; the workers got {t.Leased}, {validationFailed} were withdrawn after a failed validation, "
                + $"and at most {cancelledUncounted} after their caller cancelled during validation.");
        }

        if (t.Count(Outcome.CreateFailed) > createFailures)
        {
            rig.Violations.Add($"I2 A failed create frees its slot and serves a waiter violated: {t.Count(Outcome.CreateFailed)} acquires failed with ConnectionCreateException but only {createFailures} creates failed (a failure reached two callers).");
        }
    }
}
