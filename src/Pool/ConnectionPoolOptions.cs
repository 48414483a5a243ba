using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Pool.Internal;

namespace Pool;

/// <summary>
/// Settings of a <see cref="ConnectionPool{TConnection}"/>. The pool validates them once, in its
/// constructor (one <see cref="ArgumentException"/> lists every problem), and copies them: changing
/// this object later does not change a running pool.
/// </summary>
public sealed class ConnectionPoolOptions
{
    /// <summary>The longest timeout a timer accepts: <see cref="uint.MaxValue"/> − 1 milliseconds (about 49.7 days).</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    /// <summary>Connections kept open even when nobody uses them, created in the background. <value>0 … <see cref="MaxSize"/>; default 0.</value></summary>
    public int MinSize { get; set; }

    /// <summary>The most connections that exist at once, counting creates and destroys in flight. <value>At least 1; default 10.</value></summary>
    public int MaxSize { get; set; } = 10;

    /// <summary>
    /// How many leases one connection serves at once. 1 (the default) is an exclusive pool: a connection
    /// has one holder. More suits multiplexed protocols (HTTP/2 and gRPC channels, Redis, NATS, AMQP
    /// channels): an acquire takes the usable connection with the fewest leases (ties: the oldest), and a
    /// new connection is created only when every usable connection holds this many.
    /// <value>1 … 1024; default 1.</value>
    /// </summary>
    public int MaxLeasesPerConnection { get; set; } = 1;

    /// <summary>How long an acquire waits before <see cref="PoolExhaustedException"/>. <value>&gt; 0 and ≤ <see cref="MaxTimeout"/>, or infinite; default 30 s.</value></summary>
    public TimeSpan AcquireTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long <see cref="ConnectionPool{TConnection}.DisposeAsync"/> waits for leases, creates and
    /// destroys to finish. Connections returned later are still destroyed.
    /// <value>0 … <see cref="MaxTimeout"/>, or infinite; default 30 s.</value>
    /// </summary>
    public TimeSpan DisposeTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// An idle connection that waited longer than this is checked with
    /// <see cref="IConnectionFactory{TConnection}.ValidateAsync"/> before it is handed out. On
    /// <see cref="TimeProvider.System"/> idle time is measured on the kernel's tick clock, so a check may
    /// come up to 20 ms early but is never skipped when due (20 ms or less checks every borrow).
    /// <value>0 (always check) … <see cref="MaxTimeout"/>, or infinite (never check); default 500 ms.</value>
    /// </summary>
    public TimeSpan ValidateAfterIdle { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The deadline of one validation; a check that takes longer counts as failed. <value>&gt; 0 and ≤ <see cref="MaxTimeout"/>; default 5 s.</value></summary>
    public TimeSpan ValidationTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Idle connections beyond <see cref="MinSize"/> are destroyed after this long idle. <value>&gt; 0 and ≤ <see cref="MaxTimeout"/>, or infinite; default 10 min.</value></summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Connections are retired after this long (minus jitter): destroyed on return or while idle,
    /// and replaced if MinSize or waiters need them.
    /// <value>&gt; 0 and ≤ <see cref="MaxTimeout"/>, or infinite; default 30 min.</value>
    /// </summary>
    public TimeSpan MaxLifetime { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Each connection's lifetime is shortened by a random fraction up to this, so connections do not expire together. <value>0 … 0.5; default 0.025.</value></summary>
    public double LifetimeJitter { get; set; } = 0.025;

    /// <summary>The pool's own deadline for one create; on expiry the factory's token is cancelled and the slot freed. <value>&gt; 0 and ≤ <see cref="MaxTimeout"/>, or infinite; default 30 s.</value></summary>
    public TimeSpan CreateTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The pool's deadline for one <see cref="IConnectionFactory{TConnection}.DestroyAsync"/>. A destroy
    /// still running then frees its slot, so destroys that hang cannot exhaust the pool; the connection
    /// counts in <see cref="PoolStatistics.Abandoned"/> until the destroy completes (DisposeAsync waits
    /// for it within <see cref="DisposeTimeout"/>), and abandoned work limits new creates so the backend
    /// never holds more than <see cref="MaxSize"/> + <see cref="MaxConcurrentCreates"/> of the pool's connections.
    /// <value>&gt; 0 and ≤ <see cref="MaxTimeout"/>, or infinite (a destroy holds its slot until it completes); default 30 s.</value>
    /// </summary>
    public TimeSpan DestroyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Creates in flight at once, so an outage or a spike never becomes a connect storm. <value>1 … <see cref="MaxSize"/> (capped to it); default 2.</value></summary>
    public int MaxConcurrentCreates { get; set; } = 2;

    /// <summary>The first backoff after a failed create; each further failure doubles the cap (full jitter). <value>&gt; 0 and ≤ <see cref="BackoffMax"/>; default 100 ms.</value></summary>
    public TimeSpan BackoffInitial { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest backoff between failed creates. <value><see cref="BackoffInitial"/> … <see cref="MaxTimeout"/>; default 10 s.</value></summary>
    public TimeSpan BackoffMax { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// After this many consecutive create failures the pool is unavailable: acquires that no idle
    /// connection can serve fail at once with <see cref="PoolUnavailableException"/> until a probe
    /// create succeeds. <value>0 (never fail fast) or more; default 3.</value>
    /// </summary>
    public int FailFastAfter { get; set; } = 3;

    /// <summary>
    /// A lease held longer than this is logged as a probable leak, with the stack of its acquire when that
    /// acquire was sampled: 1 in 1024 acquires captures its stack until the pool suspects a leak, every
    /// acquire after that (only when this is set). <value>null (off), or &gt; 0 and ≤ <see cref="MaxTimeout"/>; default null.</value>
    /// </summary>
    public TimeSpan? LeakDetectionThreshold { get; set; }

    /// <summary>
    /// How often the background maintenance pass runs (idle reaping, lifetime expiry, leak checks).
    /// <value>null (derived: a quarter of the shortest of IdleTimeout, MaxLifetime and LeakDetectionThreshold, between 1 s and 30 s), &gt; 0 and ≤ <see cref="MaxTimeout"/>, or infinite (no background pass); default null.</value>
    /// </summary>
    public TimeSpan? MaintenanceInterval { get; set; }

    /// <summary>The clock and timers of the pool. <value>Not null; default <see cref="TimeProvider.System"/>.</value></summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>The source of lifetime and backoff jitter; used under a private lock. <value>Not null; default <see cref="System.Random.Shared"/>.</value></summary>
    public Random Random { get; set; } = Random.Shared;

    /// <summary>
    /// Where the pool logs (category <see cref="PoolDiagnostics.LoggerCategory"/>) create failures, the
    /// fast-fail window, evictions and leaks. <value>Optional.</value>
    /// </summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>The pool's name, used in messages, logs and metrics (<c>db.client.connection.pool.name</c>: keep it unique in the process). <value>1 to 128 characters, not only white space; default "pool".</value></summary>
    public string Name { get; set; } = "pool";

    /// <summary>
    /// Where the pool's meter (named <see cref="PoolDiagnostics.MeterName"/>) comes from; dependency
    /// injection passes the container's. The factory owns that meter and may hand the same one to
    /// several pools: each reports under its own <see cref="Name"/>, and leaves the meter's gauges when
    /// disposed. When null the pool creates its own meter and disposes it with itself.
    /// <value>Optional.</value>
    /// </summary>
    public IMeterFactory? MeterFactory { get; set; }

    /// <summary>
    /// Checks these settings the way the pool's constructor does, without building a pool: for start-up
    /// validation (options binding, <c>ValidateOnStart</c>).
    /// </summary>
    /// <returns>Every problem, each naming the setting, its value and the allowed range; empty when the settings are valid.</returns>
    public IReadOnlyList<string> Validate() => FindProblems();

    /// <summary>Every problem with these settings, each naming the setting and its allowed range.</summary>
    internal List<string> FindProblems() => OptionsValidation.FindProblems(this);

    /// <summary>Throws one <see cref="ArgumentException"/> listing every problem, or returns a validated copy.</summary>
    internal ConnectionPoolOptions ValidatedCopy(string paramName)
    {
        var problems = FindProblems();
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid ConnectionPoolOptions: " + string.Join(" ", problems), paramName);
        }

        return (ConnectionPoolOptions)MemberwiseClone();
    }

    internal static bool IsTimeout(TimeSpan value, bool allowZero) =>
        OptionsValidation.IsInRange(value, allowZero, allowInfinite: true);
}
