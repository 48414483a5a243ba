using System.Diagnostics;

namespace Pool.Tests.Unit.Support;

internal static class Waits
{
    /// <summary>
    /// Yields to the thread pool until the condition holds. No sleeping: the wall clock only bounds
    /// how long a broken test may spin before it fails.
    /// </summary>
    public static async Task Until(Func<bool> condition, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(30))
            {
                Assert.Fail($"Timed out waiting until {what}.");
            }

            await Task.Yield();
        }
    }
}
