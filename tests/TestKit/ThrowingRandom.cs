namespace Pool.Tests.Kit;

/// <summary>A Random that throws, or answers NaN (which no jitter formula survives), on every draw.</summary>
public sealed class ThrowingRandom(bool nan = false) : Random
{
    private int _draws;

    public InvalidOperationException Error { get; } = new("The random source failed.");

    public int Draws => Volatile.Read(ref _draws);

    public override double NextDouble()
    {
        Interlocked.Increment(ref _draws);
        return nan ? double.NaN : throw Error;
    }

    protected override double Sample() => NextDouble();
}
