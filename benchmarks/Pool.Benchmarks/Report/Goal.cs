namespace Pool.Benchmarks.Report;

/// <summary>One line of the goals table.</summary>
/// <param name="Number">The benchmark's number in the issue.</param>
/// <param name="Benchmark">What it measures.</param>
/// <param name="Target">The goal.</param>
/// <param name="Measured">What this run measured.</param>
/// <param name="Met">True, false, or null when there is no goal or no result.</param>
internal sealed record Goal(int Number, string Benchmark, string Target, string Measured, bool? Met)
{
    public string Verdict => Met switch
    {
        true => "MET",
        false => "MISSED",
        null => "—",
    };
}
