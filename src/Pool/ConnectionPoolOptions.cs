namespace Pool;

/// <summary>
/// Settings of a <see cref="ConnectionPool{TConnection}"/>. The pool validates them once, in its
/// constructor, and copies them: changing this object later does not change a running pool.
/// </summary>
public sealed class ConnectionPoolOptions
{
    /// <summary>The longest timeout a timer accepts: <see cref="uint.MaxValue"/> − 1 milliseconds (about 49.7 days).</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    /// <summary>
    /// Connections the pool keeps open even when nobody uses them, created in the background.
    /// <value>Between 0 and <see cref="MaxSize"/>; default 0.</value>
    /// </summary>
    public int MinSize { get; set; }

    /// <summary>
    /// The most connections that exist at once, counting those being created and destroyed.
    /// <value>At least 1; default 10.</value>
    /// </summary>
    public int MaxSize { get; set; } = 10;

    /// <summary>
    /// How long an acquire waits for a connection before it fails with <see cref="PoolExhaustedException"/>.
    /// <value>Greater than zero and at most <see cref="MaxTimeout"/>, or <see cref="Timeout.InfiniteTimeSpan"/>; default 30 seconds.</value>
    /// </summary>
    public TimeSpan AcquireTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long <see cref="ConnectionPool{TConnection}.DisposeAsync"/> waits for leased connections
    /// to come back and for creates and destroys in flight to finish. Connections returned later are
    /// still destroyed.
    /// <value>Zero or more and at most <see cref="MaxTimeout"/>, or <see cref="Timeout.InfiniteTimeSpan"/>; default 30 seconds.</value>
    /// </summary>
    public TimeSpan DisposeTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The clock and timers of the pool. Tests pass a fake one.
    /// <value>Not null; default <see cref="TimeProvider.System"/>.</value>
    /// </summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// The pool's name, used in messages, logs and metrics.
    /// <value>Not empty or white space, at most 128 characters; default "pool".</value>
    /// </summary>
    public string Name { get; set; } = "pool";

    /// <summary>Every problem with these settings, each naming the setting and its allowed range.</summary>
    internal List<string> FindProblems()
    {
        var problems = new List<string>();
        if (MaxSize < 1)
        {
            problems.Add($"MaxSize is {MaxSize}; it must be at least 1.");
        }

        if (MinSize < 0 || MinSize > Math.Max(MaxSize, 0))
        {
            problems.Add($"MinSize is {MinSize}; it must be between 0 and MaxSize ({MaxSize}).");
        }

        if (!IsTimeout(AcquireTimeout, allowZero: false))
        {
            problems.Add($"AcquireTimeout is {AcquireTimeout}; it must be greater than zero and at most {MaxTimeout}, or Timeout.InfiniteTimeSpan.");
        }

        if (!IsTimeout(DisposeTimeout, allowZero: true))
        {
            problems.Add($"DisposeTimeout is {DisposeTimeout}; it must be between zero and {MaxTimeout}, or Timeout.InfiniteTimeSpan.");
        }

        if (TimeProvider is null)
        {
            problems.Add("TimeProvider is null; it must be set (TimeProvider.System by default).");
        }

        if (string.IsNullOrWhiteSpace(Name) || Name.Length > 128)
        {
            problems.Add($"Name is {(Name is null ? "null" : $"\"{Name}\"")}; it must be 1 to 128 characters and not only white space.");
        }

        return problems;
    }

    internal static bool IsTimeout(TimeSpan value, bool allowZero) =>
        value == Timeout.InfiniteTimeSpan
        || (value > TimeSpan.Zero && value <= MaxTimeout)
        || (allowZero && value == TimeSpan.Zero);

    /// <summary>Throws one <see cref="ArgumentException"/> listing every problem, or returns a validated copy.</summary>
    internal ConnectionPoolOptions ValidatedCopy(string paramName)
    {
        var problems = FindProblems();
        if (problems.Count > 0)
        {
            throw new ArgumentException(
                "Invalid ConnectionPoolOptions: " + string.Join(" ", problems), paramName);
        }

        return (ConnectionPoolOptions)MemberwiseClone();
    }
}
