namespace Pool.Tests.Kit;

/// <summary>
/// A Random whose NextDouble returns scripted values (the last one repeats), for exact jitter and backoff.
/// No lock and no shared state beyond its cursor, so it is safe under Coyote too.
/// </summary>
public sealed class FixedRandom(params double[] values) : Random
{
    private int _next;

    public static FixedRandom Zero => new(0);

    public static FixedRandom One => new(1);

    public override double NextDouble() => values[Math.Min(_next++, values.Length - 1)];

    protected override double Sample() => NextDouble();
}
