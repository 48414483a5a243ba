using System.Reflection;
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

    /// <summary>
    /// A Debug Pool.dll calls Monitor.IsEntered in AssertNotUnderLock, which Coyote 1.7.11 models by
    /// throwing SynchronizationLockException when the lock is free: every scenario would fail in the
    /// pool's constructor. Remove this test with the Release reference once the pool stops calling it.
    /// </summary>
    [Fact]
    public void PoolAssembly_IsTheReleaseBuild_BecauseCoyoteCannotModelMonitorIsEnteredOnAFreeLock()
    {
        string? configuration = typeof(ConnectionPool<>).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration;
        Assert.True(
            configuration == "Release",
            $"Pool.dll in the systematic output is a {configuration} build; Systematic.csproj references Pool with Configuration=Release (see README.md).");
    }
}
