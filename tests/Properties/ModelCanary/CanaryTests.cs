using FsCheck;
using FsCheck.Fluent;

namespace Pool.Tests.Properties.ModelCanary;

/// <summary>
/// Issue 5, part 5: the model-based property must catch each planted bug, and FsCheck must shrink the
/// counterexample to at most 6 operations. The property is run programmatically; the last failing run
/// FsCheck evaluates is its final (shrunk) counterexample.
/// </summary>
public sealed class CanaryTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(CanaryBug.CheckThenCreate)]
    [InlineData(CanaryBug.SlotLeakOnFailedCreate)]
    [InlineData(CanaryBug.LostHandOffToDeadWaiter)]
    [InlineData(CanaryBug.NoWakeUpAfterFailedCreate)]
    public void ModelProperty_CatchesTheCanary_WithAShortCounterexample(CanaryBug bug)
    {
        ModelRunResult? last = null;
        int runs = 0;
        var property = Prop.ForAll(ScenarioArbitrary.Scenario(), scenario =>
        {
            runs++;
            var result = ModelRun.Run(scenario.Config, scenario.Choices, c => new CanaryPool(c, bug), restricted: true);
            if (!result.Passed)
            {
                last = result;
            }

            return result.Passed.Label(result.Report);
        });

        var error = Record.Exception(() => Check.One(Config.QuickThrowOnFailure.WithMaxTest(1000), property));

        Assert.NotNull(error);
        Assert.NotNull(last);
        output.WriteLine($"{bug}: caught; {runs} runs including shrinking. Shrunk counterexample ({last.Ops.Count} operations):");
        output.WriteLine(last.Report);
        Assert.True(last.Ops.Count <= 6, $"{bug}: the shrunk counterexample has {last.Ops.Count} operations:\n{last.Report}");
    }
}
