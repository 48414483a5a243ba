namespace Pool.Benchmarks.Suites;

/// <summary>How many tasks share how many connections in the contended benchmark.</summary>
public sealed class ContendedShape(int tasks, int maxSize)
{
    public int Tasks { get; } = tasks;

    public int MaxSize { get; } = maxSize;

    /// <summary>Cycles each task runs so every shape does <see cref="ContendedBenchmarks.CyclesPerInvoke"/> in all.</summary>
    public int CyclesPerTask => ContendedBenchmarks.CyclesPerInvoke / Tasks;

    public override string ToString() => $"{Tasks} tasks on {MaxSize}";
}
