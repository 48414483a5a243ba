namespace Pool.Demo.Checks;

/// <summary>
/// Watches the pool from outside while the load runs: every couple of milliseconds a snapshot is
/// checked against the invariants (<see cref="Violations.Check"/>) and the peaks are updated.
/// </summary>
internal static class InvariantMonitor
{
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(2);

    public static async Task RunAsync(Rig rig, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var stats = rig.Pool.GetStatistics();
            rig.Violations.Check(stats, "monitor");
            rig.Peaks.Sample(stats, rig.Pool);
            await Task.Delay(Period, CancellationToken.None); // a sampling period, not a synchronisation
        }
    }
}
