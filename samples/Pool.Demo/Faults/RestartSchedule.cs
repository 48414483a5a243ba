using Pool.Demo.Reporting;
using Pool.Qdrant.Testing;

namespace Pool.Demo.Faults;

/// <summary>
/// The plain demo's faults: the stand-in crashes every <see cref="RunSettings.RestartEvery"/>, first
/// after half a period, down for min(1.5 s, 30 % of a period) each time; no restart starts unless the
/// run has 2 s left after it to show the recovery.
/// </summary>
internal static class RestartSchedule
{
    private static readonly TimeSpan LongestOutage = TimeSpan.FromSeconds(1.5);
    /// <summary>The uptime after a restart in which the demo expects (and checks) a recovery.</summary>
    public static readonly TimeSpan RecoveryShown = TimeSpan.FromSeconds(2);

    public static TimeSpan OutageFor(TimeSpan period) => period * 0.3 < LongestOutage ? period * 0.3 : LongestOutage;

    /// <summary>When each restart starts, from the run's start.</summary>
    public static IEnumerable<TimeSpan> Times(TimeSpan duration, TimeSpan period)
    {
        var outage = OutageFor(period);
        for (var at = period / 2; at + outage + RecoveryShown <= duration; at += period)
        {
            yield return at;
        }
    }

    public static async Task RunAsync(Rig rig, QdrantStandIn standIn, CancellationToken stop)
    {
        var period = rig.Settings.RestartEvery;
        foreach (var at in Times(rig.Settings.Duration, period))
        {
            var wait = at - rig.Clock.Elapsed;
            try
            {
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, stop);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }

            await Outage.RunAsync(rig, standIn, OutageFor(period), print: true, stop);
        }
    }

    /// <summary>
    /// The restarts (by index) that were followed by at least <see cref="RecoveryShown"/> of uptime (until
    /// the next restart or <paramref name="end"/>) and saw no call succeed. Shorter gaps are not judged.
    /// </summary>
    public static IEnumerable<int> Unrecovered(IReadOnlyList<Timeline.Restart> restarts, TimeSpan end)
    {
        for (int i = 0; i < restarts.Count; i++)
        {
            var nextDown = i + 1 < restarts.Count ? restarts[i + 1].Down : end;
            if (restarts[i] is { Up: { } up, Recovered: null } && nextDown - up >= RecoveryShown)
            {
                yield return i;
            }
        }
    }
}
