using Microsoft.Coyote;
using Microsoft.Coyote.Rewriting;

namespace Pool.Tests.Systematic;

public sealed class SmokeTests
{
    [Fact]
    public void Assemblies_AreRewrittenForCoyote()
    {
        Assert.True(RewritingEngine.IsAssemblyRewritten(typeof(SmokeTests).Assembly), "the test assembly is not rewritten");
        Assert.True(RewritingEngine.IsAssemblyRewritten(typeof(ConnectionPool<>).Assembly), "Pool.dll is not rewritten");
    }
}
