using System.Diagnostics;

namespace Pool.Demo;

/// <summary>The run's one clock: every time in the timeline and the report is measured from its start.</summary>
internal sealed class RunClock
{
    private readonly Stopwatch _watch = Stopwatch.StartNew();

    public TimeSpan Elapsed => _watch.Elapsed;

    /// <summary>Starts again from zero, once the set-up is done.</summary>
    public void Restart() => _watch.Restart();
}
