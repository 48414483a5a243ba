namespace Pool.Demo.Checks;

/// <summary>
/// Every failed check of a run, in the order found. A broken invariant tends to repeat thousands of
/// times, so the first <see cref="Kept"/> messages are kept and the rest only counted.
/// </summary>
internal sealed class Violations
{
    public const int Kept = 100;
    private readonly object _lock = new();
    private readonly List<string> _first = []; // guarded by _lock
    private long _count;                       // guarded by _lock

    public Violations(RunClock clock) => Clock = clock;

    public RunClock Clock { get; }

    public long Count
    {
        get { lock (_lock) { return _count; } }
    }

    public IReadOnlyList<string> First
    {
        get { lock (_lock) { return [.. _first]; } }
    }

    public void Add(string what)
    {
        string line = $"[{Clock.Elapsed.TotalSeconds:F1}s] {what}";
        lock (_lock)
        {
            _count++;
            if (_first.Count < Kept)
            {
                _first.Add(line);
            }
        }
    }

    /// <summary>Adds the first invariant the snapshot breaks, if any (the pool's own public check, <see cref="PoolStatistics.FindInvariantViolation"/>).</summary>
    public bool Check(in PoolStatistics stats, string when)
    {
        if (stats.FindInvariantViolation() is { } violation)
        {
            Add($"{when}: {violation}");
            return false;
        }

        return true;
    }
}
