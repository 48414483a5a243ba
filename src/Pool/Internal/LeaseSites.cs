using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Pool.Internal;

/// <summary>
/// Leak detection's stacks: which acquires capture where they were called from, and how a captured
/// stack is shown when its lease is reported as a leak.
/// </summary>
/// <remarks>
/// <para>Capturing even an unformatted <see cref="StackTrace"/> costs several microseconds, dozens of
/// times an uncontended acquire + return (with file information and formatted, as every acquire once
/// paid: hundreds of times), so no per-acquire capture keeps leak detection within 2× of it being off
/// (benchmarks/Pool.Benchmarks, suite <c>leak</c>). The rule instead: a pool captures the
/// stack of 1 in <see cref="SamplePeriod"/> acquires that get a lease (the first, then every
/// <see cref="SamplePeriod"/>th), and once it has suspected a leak, of every acquire from then on, so a
/// place that leaks again is reported with its stack. A <c>TryAcquire</c> that finds nothing captures
/// nothing. A stack is captured without file information and formatted only when its leak is reported.</para>
/// <para>The counter is read and written without a lock or interlocked operation: a lost increment
/// only shifts which acquire is sampled, and the hot path stays a plain add.</para>
/// </remarks>
internal sealed class LeaseSites
{
    /// <summary>One acquire in this many captures its stack until a leak is suspected (a power of two: the test is a mask).</summary>
    public const int SamplePeriod = 1024;

    private uint _acquires;              // unguarded by design (see remarks): acquires that could capture; wraps around harmlessly
    private volatile bool _everyAcquire; // set once a leak has been suspected, never cleared
    private long _captured;              // Interlocked: stacks captured, for tests

    /// <summary>How many stacks this pool has captured (a test seam: a capture is the cost to avoid).</summary>
    public long Captured => Interlocked.Read(ref _captured);

    /// <summary>What a leak report says in place of the stack when its acquire was not sampled.</summary>
    public static string NotCaptured { get; } =
        $"(stack not captured: the pool captures the stack of 1 in {SamplePeriod} acquires until it suspects a leak, "
        + "and of every acquire from then on, so the next leak from this place is reported with its stack)";

    /// <summary>
    /// Called by an acquire that got a lease (or joined the queue for one), on the acquirer's own thread:
    /// the stack when this acquire is sampled, else null. Small enough to inline; the capture is not.
    /// </summary>
    public StackTrace? Capture() =>
        !_everyAcquire && (_acquires++ & (SamplePeriod - 1)) != 0 ? null : CaptureNow();

    [MethodImpl(MethodImplOptions.NoInlining)]
    private StackTrace CaptureNow()
    {
        Interlocked.Increment(ref _captured);
        return new StackTrace(1, fNeedFileInfo: false);
    }

    /// <summary>A leak was suspected: from now on every acquire captures its stack.</summary>
    public void LeakSuspected() => _everyAcquire = true;

    /// <summary>
    /// The stack as the leak report shows it, from the caller of the pool on: the pool's own frames and
    /// the runtime's async plumbing above them are dropped. Runs when the leak is reported, never on acquire.
    /// </summary>
    public static string Format(StackTrace? site)
    {
        if (site is null)
        {
            return NotCaptured;
        }

        var frames = site.GetFrames();
        int first = 0;
        while (first < frames.Length && IsPoolOrRuntime(frames[first]))
        {
            first++;
        }

        return first == 0 || first == frames.Length ? site.ToString() : new StackTrace(frames[first..]).ToString();
    }

    private static bool IsPoolOrRuntime(StackFrame frame)
    {
        var assembly = frame.GetMethod()?.DeclaringType?.Assembly;
        return assembly == typeof(LeaseSites).Assembly || assembly == typeof(object).Assembly;
    }
}
