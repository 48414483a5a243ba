using System.Diagnostics;

namespace Pool.Tests.Kit;

/// <summary>
/// Waiting for a condition instead of sleeping. The wall clock only bounds how long a broken test may
/// wait before it fails; it never stands in for the work being waited on.
/// </summary>
public static class Waits
{
    /// <summary>How long <see cref="UntilAsync(Func{bool}, Func{string}, TimeSpan?)"/> polls by default.</summary>
    public static readonly TimeSpan DefaultPollTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long <see cref="Until"/> waits: generous, because a busy machine can starve the work for seconds.</summary>
    public static readonly TimeSpan UntilLimit = TimeSpan.FromSeconds(60);

    /// <summary>
    /// For work inside this process (the pool's continuations): yields to the thread pool until the
    /// condition holds, at most <see cref="UntilLimit"/>.
    /// </summary>
    public static async Task Until(Func<bool> condition, string what)
    {
        var watch = Stopwatch.StartNew();
        int spins = 0;
        while (!condition())
        {
            if (watch.Elapsed > UntilLimit)
            {
                Assert.Fail($"Timed out after {UntilLimit} of real time waiting until {what}.");
            }

            // Yields first (the work is usually a continuation away), then a 1 ms poll: on a loaded
            // machine a test that only yields keeps a core from the very work it waits for.
            if (++spins < 100)
            {
                await Task.Yield();
            }
            else
            {
                await Task.Delay(1);
            }
        }
    }

    /// <summary>
    /// For synchronous drivers (the lockstep model runs): yields the thread, never sleeping, until
    /// <paramref name="done"/> holds or <paramref name="limit"/> of wall clock passes. True if it held.
    /// </summary>
    public static bool Spin(Func<bool> done, TimeSpan limit)
    {
        var watch = Stopwatch.StartNew();
        while (!done())
        {
            if (watch.Elapsed >= limit)
            {
                return false;
            }

            // Only yields: the fault matrix's "nothing moved for 50 samples" needs samples close together.
            Thread.Yield();
        }

        return true;
    }

    /// <summary>
    /// For work outside it (sockets, a server, a process): polls every 5 ms until the condition holds or
    /// <paramref name="timeout"/> (10 s by default) passes; yielding alone would spin a core meanwhile.
    /// </summary>
    public static Task UntilAsync(Func<bool> condition, Func<string> describe, TimeSpan? timeout = null) =>
        UntilAsync(() => Task.FromResult(condition()), describe, timeout);

    /// <inheritdoc cref="UntilAsync(Func{bool}, Func{string}, TimeSpan?)"/>
    public static async Task UntilAsync(Func<Task<bool>> condition, Func<string> describe, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultPollTimeout;
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
