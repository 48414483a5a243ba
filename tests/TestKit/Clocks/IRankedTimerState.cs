namespace Pool.Tests.Kit;

/// <summary>A timer state that tells the <see cref="SteppedClock"/> its tie-break rank (used by the model canary).</summary>
public interface IRankedTimerState
{
    int Rank { get; }
}
