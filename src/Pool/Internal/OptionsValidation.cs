using System.Globalization;

namespace Pool.Internal;

/// <summary>Checks every setting and names each problem with the allowed range.</summary>
internal static class OptionsValidation
{
    private const string Range = "greater than zero and at most 49.17:02:47.2940000";

    public static List<string> FindProblems(ConnectionPoolOptions o)
    {
        var problems = new List<string>();
        if (o.MaxSize < 1)
        {
            problems.Add($"MaxSize is {o.MaxSize}; it must be at least 1.");
        }

        if (o.MinSize < 0 || o.MinSize > Math.Max(o.MaxSize, 0))
        {
            problems.Add($"MinSize is {o.MinSize}; it must be between 0 and MaxSize ({o.MaxSize}).");
        }

        if (o.MaxLeasesPerConnection < 1 || o.MaxLeasesPerConnection > ConnectionEntry<object>.LeaseLimit)
        {
            problems.Add($"MaxLeasesPerConnection is {o.MaxLeasesPerConnection}; it must be between 1 and {ConnectionEntry<object>.LeaseLimit}.");
        }

        Timeout(problems, "AcquireTimeout", o.AcquireTimeout, allowZero: false, allowInfinite: true);
        Timeout(problems, "DisposeTimeout", o.DisposeTimeout, allowZero: true, allowInfinite: true);
        Timeout(problems, "ValidateAfterIdle", o.ValidateAfterIdle, allowZero: true, allowInfinite: true);
        Timeout(problems, "ValidationTimeout", o.ValidationTimeout, allowZero: false, allowInfinite: false);
        Timeout(problems, "IdleTimeout", o.IdleTimeout, allowZero: false, allowInfinite: true);
        Timeout(problems, "MaxLifetime", o.MaxLifetime, allowZero: false, allowInfinite: true);
        Timeout(problems, "CreateTimeout", o.CreateTimeout, allowZero: false, allowInfinite: true);
        Timeout(problems, "DestroyTimeout", o.DestroyTimeout, allowZero: false, allowInfinite: true);
        if (double.IsNaN(o.LifetimeJitter) || o.LifetimeJitter < 0 || o.LifetimeJitter > 0.5)
        {
            problems.Add($"LifetimeJitter is {o.LifetimeJitter.ToString(CultureInfo.InvariantCulture)}; it must be between 0 and 0.5.");
        }

        if (o.MaxConcurrentCreates < 1)
        {
            problems.Add($"MaxConcurrentCreates is {o.MaxConcurrentCreates}; it must be at least 1.");
        }

        // Zero would let a down backend turn the MinSize refill and the fast-fail probe into a hot loop.
        Timeout(problems, "BackoffInitial", o.BackoffInitial, allowZero: false, allowInfinite: false);
        Timeout(problems, "BackoffMax", o.BackoffMax, allowZero: false, allowInfinite: false);
        if (o.BackoffMax < o.BackoffInitial && o.BackoffInitial > TimeSpan.Zero)
        {
            problems.Add($"BackoffMax is {o.BackoffMax}; it must be at least BackoffInitial ({o.BackoffInitial}).");
        }

        if (o.FailFastAfter < 0)
        {
            problems.Add($"FailFastAfter is {o.FailFastAfter}; it must be 0 (never fail fast) or more.");
        }

        if (o.LeakDetectionThreshold is { } leak)
        {
            Timeout(problems, "LeakDetectionThreshold", leak, allowZero: false, allowInfinite: false, alsoNull: true);
        }

        if (o.MaintenanceInterval is { } interval)
        {
            Timeout(problems, "MaintenanceInterval", interval, allowZero: false, allowInfinite: true, alsoNull: true);
        }

        if (o.TimeProvider is null)
        {
            problems.Add("TimeProvider is null; it must be set (TimeProvider.System by default).");
        }

        if (o.Random is null)
        {
            problems.Add("Random is null; it must be set (Random.Shared by default).");
        }

        if (string.IsNullOrWhiteSpace(o.Name) || o.Name.Length > 128)
        {
            problems.Add($"Name is {(o.Name is null ? "null" : $"\"{o.Name}\"")}; it must be 1 to 128 characters and not only white space.");
        }

        return problems;
    }

    private static void Timeout(List<string> problems, string name, TimeSpan value, bool allowZero, bool allowInfinite, bool alsoNull = false)
    {
        if (IsInRange(value, allowZero, allowInfinite))
        {
            return;
        }

        string range = allowZero ? "between zero and 49.17:02:47.2940000" : Range;
        string extra = (allowInfinite, alsoNull) switch
        {
            (true, true) => ", Timeout.InfiniteTimeSpan or null",
            (true, false) => ", or Timeout.InfiniteTimeSpan",
            (false, true) => ", or null",
            _ => string.Empty,
        };
        problems.Add($"{name} is {value}; it must be {range}{extra}.");
    }

    /// <summary>The one range check for every duration: ITimer's limit, optionally zero and infinite.</summary>
    public static bool IsInRange(TimeSpan value, bool allowZero, bool allowInfinite) =>
        (allowInfinite && value == System.Threading.Timeout.InfiniteTimeSpan)
        || (value > TimeSpan.Zero && value <= ConnectionPoolOptions.MaxTimeout)
        || (allowZero && value == TimeSpan.Zero);
}
