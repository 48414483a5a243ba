using System.Diagnostics;

namespace Pool.Tests.Integration.Support;

/// <summary>Waits for a condition instead of sleeping: polls it until it holds or a deadline passes.</summary>
internal static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    public static Task HoldsAsync(Func<bool> condition, Func<string> describe, TimeSpan? timeout = null) =>
        HoldsAsync(() => Task.FromResult(condition()), describe, timeout);

    public static async Task HoldsAsync(Func<Task<bool>> condition, Func<string> describe, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > limit)
            {
                Assert.Fail($"Still false after {limit}: {describe()}");
            }

            await Task.Delay(5);
        }
    }
}
