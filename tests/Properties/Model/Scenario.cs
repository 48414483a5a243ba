namespace Pool.Tests.Properties.Model;

/// <summary>The generated input: a config number and the choice numbers the interpreter turns into operations.</summary>
public sealed record Scenario(uint Config, uint[] Choices)
{
    public override string ToString() => $"Scenario(config {Config}, choices [{string.Join(",", Choices)}])";
}

/// <summary>Uniform choices (bucket = c % 100, argument = c / 100); shrinking drops choices and moves them toward 0.</summary>
public static class ScenarioArbitrary
{
    public static Arbitrary<Scenario> Scenario() => Over(0, ModelConfig.AllConfigs);

    /// <summary>Configs from <paramref name="first"/> (inclusive) to <paramref name="end"/> (exclusive); shrinking may leave the range.</summary>
    internal static Arbitrary<Scenario> Over(uint first, uint end)
    {
        var gen = Gen.Choose((int)first, (int)end - 1).SelectMany(
            config => Gen.Choose(0, 9999).Select(i => (uint)i).ArrayOf(),
            (config, choices) => new Scenario((uint)config, choices));
        var uints = ArbMap.Default.ArbFor<uint[]>();
        var configs = ArbMap.Default.ArbFor<uint>();
        return Arb.From(gen, s =>
            uints.Shrinker(s.Choices).Select(c => s with { Choices = c })
                .Concat(configs.Shrinker(s.Config).Select(c => s with { Config = c })));
    }
}

/// <summary>
/// Only the configs with issue 12's features and K = 1 (one eighth of <see cref="ScenarioArbitrary"/>'s):
/// stuck creates and checks held until answered, met far more often than in the mixed run.
/// </summary>
public static class HeldWorkScenarioArbitrary
{
    public static Arbitrary<Scenario> Scenario() => ScenarioArbitrary.Over(ModelConfig.PlainConfigs, ModelConfig.ExclusiveConfigs);
}
