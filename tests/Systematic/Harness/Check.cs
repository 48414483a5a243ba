using Microsoft.Coyote.Specifications;

namespace Pool.Tests.Systematic.Harness;

/// <summary>
/// Scenario assertions. A failure is a Coyote bug report: the message names the invariant of
/// docs/invariants.md it breaks, in the same form as <c>PoolInvariants</c> ("I1 Capacity violated: ...").
/// </summary>
internal static class Check
{
    public static void That(bool condition, string invariant, string what)
    {
        if (!condition)
        {
            Fail($"{invariant} violated: {what}");
        }
    }

    public static void That(bool condition, string invariant, Func<string> what)
    {
        if (!condition)
        {
            Fail($"{invariant} violated: {what()}");
        }
    }

    /// <summary>Reports a bug. The message is passed as an argument, so braces in it are not format items.</summary>
    public static void Fail(string message) => Specification.Assert(false, "{0}", message);
}
