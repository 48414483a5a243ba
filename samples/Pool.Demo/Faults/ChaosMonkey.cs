using Pool.Demo.CommandLine;
using Pool.Qdrant.Testing;

namespace Pool.Demo.Faults;

/// <summary>
/// Carries out the soak's server-side and pool-side faults, the <see cref="ChaosPlan"/> of the seed,
/// in two lanes that overlap: conditions (windows of latency, <c>Unavailable</c> answers or hangs on
/// a share of the calls, with or without sparing health checks, and lulls in the load so connections
/// sit idle long enough to be validated, reaped and expired) and incidents (restarts, cutting all or
/// some connections, <c>pool.Clear()</c>). A seed replays the same faults in the same order; their
/// timing against the load varies from run to run.
/// </summary>
internal sealed class ChaosMonkey(Rig rig, QdrantStandIn standIn)
{
    /// <summary>How the timeline's entry for a condition window starts (incidents start with their label).</summary>
    public const string ConditionPrefix = "condition: ";
    private volatile string _condition = "calm";

    /// <summary>The condition now, for the views.</summary>
    public string Condition => _condition;

    /// <summary>Injects faults until <paramref name="stop"/>; then every fault is off and the stand-in is up.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        try
        {
            await Task.WhenAll(
                Task.Run(() => ConditionsAsync(ChaosPlan.Conditions(rig.Seed), stop), CancellationToken.None),
                Task.Run(() => IncidentsAsync(ChaosPlan.Incidents(rig.Seed, rig.Settings.MaxSize), stop), CancellationToken.None));
        }
        finally
        {
            standIn.Faults.Reset();
            rig.Lull = false;
            _condition = "calm";
            await standIn.StartAsync(CancellationToken.None); // does nothing if it is up
            rig.Timeline.Server = "up";
        }
    }

    private async Task ConditionsAsync(IEnumerable<ChaosPlan.Condition> plan, CancellationToken stop)
    {
        var faults = standIn.Faults;
        foreach (var step in plan)
        {
            if (!await PauseAsync(step.Calm, stop))
            {
                return;
            }

            faults.FaultProbability = step.Share;
            faults.SpareHealthCheck = step.SpareHealth;
            switch (step.Kind)
            {
                case ChaosPlan.ConditionKind.Latency:
                    faults.Latency = step.Latency;
                    rig.Faults.Add(FaultCounts.Latency);
                    break;
                case ChaosPlan.ConditionKind.Unavailable:
                    faults.Unavailable = true;
                    rig.Faults.Add(FaultCounts.Unavailable);
                    break;
                case ChaosPlan.ConditionKind.Hang:
                    faults.Hang = true;
                    rig.Faults.Add(FaultCounts.Hang);
                    break;
                default:
                    break;
            }

            if (step.Lull)
            {
                // Few callers, so connections sit idle: validated on borrow (failing if a fault is on), reaped, expired.
                rig.Lull = true;
                rig.Faults.Add(FaultCounts.Lull);
            }

            _condition = step.ToString();
            rig.Timeline.Log(ConditionPrefix + _condition, print: false);
            bool going = await PauseAsync(step.Length, stop);
            faults.Reset();
            rig.Lull = false;
            _condition = "calm";
            if (!going)
            {
                return;
            }
        }
    }

    private async Task IncidentsAsync(IEnumerable<ChaosPlan.Incident> plan, CancellationToken stop)
    {
        foreach (var step in plan)
        {
            if (!await PauseAsync(step.Gap, stop))
            {
                return;
            }

            switch (step.Kind)
            {
                case ChaosPlan.IncidentKind.Restart:
                    rig.Faults.Add(FaultCounts.Restart);
                    rig.Timeline.Log($"{step.Label}: down for {DurationText.Show(step.DownFor)}", print: false);
                    await Outage.RunAsync(rig, standIn, step.DownFor, print: false, stop);
                    break;
                case ChaosPlan.IncidentKind.CutAll:
                    rig.Faults.Add(FaultCounts.KillAll);
                    rig.Timeline.Log($"{step.Label}: {standIn.KillConnections()} connections aborted", print: false);
                    break;
                case ChaosPlan.IncidentKind.CutSome:
                    rig.Faults.Add(FaultCounts.KillSome);
                    rig.Timeline.Log($"{step.Label}: {standIn.KillConnections(step.Some)} connections aborted (up to {step.Some})", print: false);
                    break;
                default:
                    rig.Faults.Add(FaultCounts.Clear);
                    rig.Pool.Pool.Clear();
                    rig.Timeline.Log($"{step.Label}: every connection retired", print: false);
                    break;
            }
        }
    }

    /// <summary>Waits; false when the run is stopping.</summary>
    private static async Task<bool> PauseAsync(TimeSpan length, CancellationToken stop)
    {
        try
        {
            await Task.Delay(length, stop);
            return true;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return false;
        }
    }
}
