using Pool.Demo.Checks;
using Pool.Demo.CommandLine;
using Pool.Demo.Faults;
using Pool.Demo.Load;
using Pool.Demo.Reporting;
using Pool.Qdrant;
using Pool.Qdrant.Testing;

namespace Pool.Demo;

/// <summary>Everything of one run that the workers, the fault drivers, the checks and the views share.</summary>
internal sealed class Rig
{
    public const int LullWorkers = 2;
    private bool _lull;

    public Rig(RunSettings settings, QdrantClientPool pool, QdrantStandIn? standIn, Workload workload)
    {
        Settings = settings;
        Pool = pool;
        StandIn = standIn;
        Workload = workload;
        Violations = new Violations(Clock);
        Timeline = new Timeline(Clock) { Server = standIn is null ? "external" : "up" };
        Leases = new LeaseTracker(Violations, settings.MaxLeasesPerConnection);
        Broker = settings.Broker?.Invoke(pool.Pool) ?? new PoolLeaseBroker(pool.Pool);
    }

    public RunSettings Settings { get; }

    public int Seed => Settings.Seed;

    public WorkerChaos WorkerChaos => Settings.WorkerChaos;

    public QdrantClientPool Pool { get; }

    /// <summary>The in-process stand-in, or null against a real Qdrant.</summary>
    public QdrantStandIn? StandIn { get; }

    public Workload Workload { get; }

    public ILeaseBroker Broker { get; }

    public RunClock Clock { get; } = new();

    public Tally Tally { get; } = new();

    public Timeline Timeline { get; }

    public LeaseTracker Leases { get; }

    public Violations Violations { get; }

    public FaultCounts Faults { get; } = new();

    public Peaks Peaks { get; } = new();

    /// <summary>The pool's snapshot after the set-up; the load's counters are measured from it.</summary>
    public PoolStatistics Baseline { get; set; }

    /// <summary>During a lull only <see cref="LullWorkers"/> workers call, so connections sit idle (validation, idle reaping, expiry).</summary>
    public bool Lull { get => Volatile.Read(ref _lull); set => Volatile.Write(ref _lull, value); }

    /// <summary>The chaos monkey of a soak (null in the plain demo), for the views.</summary>
    public ChaosMonkey? Monkey { get; set; }
}
