using System.Reflection;
using Microsoft.Coyote.Rewriting;

namespace Pool.Tests.Systematic;

public sealed class SmokeTests
{
    [Fact]
    public void Assemblies_AreRewrittenForCoyote()
    {
        Assert.True(RewritingEngine.IsAssemblyRewritten(typeof(SmokeTests).Assembly), "the test assembly is not rewritten");
        Assert.True(RewritingEngine.IsAssemblyRewritten(typeof(ConnectionPool<>).Assembly), "Pool.dll is not rewritten");
        Assert.True(RewritingEngine.IsAssemblyRewritten(typeof(CoyoteClock).Assembly), "Pool.Tests.Kit.dll is not rewritten");
    }

    /// <summary>
    /// The pool is built in the same configuration as the scenarios, so in Debug its own invariant
    /// assertions (after every state change, and "no user code under the lock") run on every
    /// explored schedule too.
    /// </summary>
    [Fact]
    public void PoolAssembly_IsBuiltLikeTheScenarios_SoItsDebugAssertionsRunUnderCoyote()
    {
        string? pool = typeof(ConnectionPool<>).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration;
        string? scenarios = typeof(SmokeTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration;
        Assert.Equal(scenarios, pool);
    }
}
