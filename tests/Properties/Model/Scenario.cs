using FsCheck;
using FsCheck.Fluent;

namespace Pool.Tests.Properties.Model;

/// <summary>The generated input: a config number and the choice numbers the interpreter turns into operations.</summary>
public sealed record Scenario(uint Config, uint[] Choices)
{
    public override string ToString() => $"Scenario(config {Config}, choices [{string.Join(",", Choices)}])";
}

/// <summary>Uniform choices (bucket = c % 100, argument = c / 100); shrinking drops choices and moves them toward 0.</summary>
public static class ScenarioArbitrary
{
    public static Arbitrary<Scenario> Scenario()
    {
        var gen = Gen.Choose(0, (int)ModelConfig.AllConfigs - 1).SelectMany(
            config => Gen.Choose(0, 9999).Select(i => (uint)i).ArrayOf(),
            (config, choices) => new Scenario((uint)config, choices));
        var uints = ArbMap.Default.ArbFor<uint[]>();
        var configs = ArbMap.Default.ArbFor<uint>();
        return Arb.From(gen, s =>
            uints.Shrinker(s.Choices).Select(c => s with { Choices = c })
                .Concat(configs.Shrinker(s.Config).Select(c => s with { Config = c })));
    }
}
