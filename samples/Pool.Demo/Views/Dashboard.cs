using Pool.Demo.CommandLine;
using Pool.Demo.Load;
using Pool.Demo.Reporting;

namespace Pool.Demo.Views;

/// <summary>What the views show, sampled at one moment.</summary>
internal sealed record Sample
{
    public TimeSpan Elapsed { get; init; }

    public PoolStatistics Stats { get; init; }

    public int LiveClients { get; init; }

    /// <summary>"up", "stopping", "DOWN", "restarting", or "external".</summary>
    public string Server { get; init; } = "up";

    /// <summary>Connections the stand-in sees; null for a real Qdrant.</summary>
    public int? ServerConnections { get; init; }

    public long Calls { get; init; }

    public long Failures { get; init; }

    public IReadOnlyList<(Outcome Kind, long Count)> FailuresByKind { get; init; } = [];

    public long Violations { get; init; }

    /// <summary>The chaos condition now; null in the plain demo.</summary>
    public string? Condition { get; init; }

    public long FaultsInjected { get; init; }

    public IReadOnlyList<Timeline.Event> Events { get; init; } = [];
}

/// <summary>Takes <see cref="Sample"/>s of a run for the views.</summary>
internal sealed class Dashboard(Rig rig)
{
    public RunSettings Settings => rig.Settings;

    public Sample Take() => new()
    {
        Elapsed = rig.Clock.Elapsed,
        Stats = rig.Pool.GetStatistics(),
        LiveClients = rig.Pool.Factory.LiveClients,
        Server = rig.Timeline.Server,
        ServerConnections = rig.StandIn?.OpenConnections,
        Calls = rig.Tally.Calls,
        Failures = rig.Tally.Failures,
        FailuresByKind = [.. Outcomes.Failures.Select(o => (o, rig.Tally.Count(o)))],
        Violations = rig.Violations.Count,
        Condition = rig.Monkey?.Condition,
        FaultsInjected = rig.Faults.Total,
        Events = rig.Timeline.Events,
    };
}
