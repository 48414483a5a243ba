namespace Pool.Tests.Systematic.Harness;

/// <summary>What <see cref="ControlledRandom"/> answers.</summary>
internal enum JitterSource
{
    /// <summary>Always 0.</summary>
    Zero,

    /// <summary>0, 0.25, 0.5 or 0.75, chosen by Coyote (so explored and replayed).</summary>
    Chosen,
}

/// <summary>
/// The pool's jitter source (lifetime and backoff jitter) without uncontrolled randomness: either
/// always 0, or drawn from Coyote's controlled generator.
/// </summary>
internal sealed class ControlledRandom(JitterSource source, Microsoft.Coyote.Random.Generator generator) : Random
{
    public override double NextDouble() => Sample();

    public override int Next() => (int)(Sample() * int.MaxValue);

    public override int Next(int maxValue) => (int)(Sample() * maxValue);

    public override int Next(int minValue, int maxValue) => minValue + (int)(Sample() * ((long)maxValue - minValue));

    public override void NextBytes(byte[] buffer) => Array.Clear(buffer);

    protected override double Sample() => source == JitterSource.Zero ? 0 : generator.NextInteger(4) / 4.0;
}
