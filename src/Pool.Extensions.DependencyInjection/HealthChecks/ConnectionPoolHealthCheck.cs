using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Pool.HealthChecks;

/// <summary>
/// Reports whether a <see cref="ConnectionPool{TConnection}"/> can serve acquires, from its statistics
/// (it opens no connection of its own, and it never waits).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><b>Unhealthy</b> (or the registration's failure status): the pool is disposed, or its fast-fail
/// window is open (<see cref="PoolStatistics.IsUnavailable"/>) with no idle connection, so every acquire
/// fails at once until a probe create succeeds.</item>
/// <item><b>Degraded</b>: the fast-fail window is open but idle connections still serve acquires; or,
/// with the window closed, acquires timed out or creates failed recently: a check saw
/// <see cref="PoolStatistics.TimedOut"/> or <see cref="PoolStatistics.CreateFailures"/> grow within the
/// last degraded window (counted from the check that saw the growth; the first check counts from the
/// pool's start).</item>
/// <item><b>Healthy</b>: otherwise.</item>
/// </list>
/// The data holds the pool's counts (MaxSize, Total, Idle, InUse, Creating, Waiters, IsUnavailable,
/// ConsecutiveCreateFailures), its lifetime counters (Acquired, TimedOut, CreateFailures, FailedFast)
/// and the counts within the window (RecentTimedOut, RecentCreateFailures). One instance must serve
/// every run of a registration, since it remembers what the previous check saw; safe for concurrent runs.
/// </remarks>
public sealed class ConnectionPoolHealthCheck : IHealthCheck
{
    private readonly string _poolName;
    private readonly Func<PoolStatistics> _statistics;
    private readonly TimeProvider _time;
    private readonly TimeSpan _window;

    // Guards the fields below; held only for arithmetic, never around the pool or the clock.
    private readonly object _gate = new();
    private readonly Queue<Growth> _recent = new();
    private long _seenTimedOut;
    private long _seenCreateFailures;

    /// <summary>
    /// Creates a check of a pool, for example <c>new ConnectionPoolHealthCheck(pool.Name, pool.GetStatistics)</c>;
    /// dependency injection does this for you (<c>AddHealthCheck()</c> on the pool's builder).
    /// </summary>
    /// <param name="poolName">The pool's name, for the description.</param>
    /// <param name="statistics">Takes a snapshot of the pool: <see cref="ConnectionPool{TConnection}.GetStatistics"/>.</param>
    /// <param name="timeProvider">The clock that measures <paramref name="degradedWindow"/>; default <see cref="TimeProvider.System"/> (pass the pool's).</param>
    /// <param name="degradedWindow">How long acquire timeouts and create failures keep the check Degraded. <value>0 (only the check that sees them) … <see cref="ConnectionPoolOptions.MaxTimeout"/>; default <see cref="DefaultDegradedWindow"/>.</value></param>
    /// <exception cref="ArgumentNullException"><paramref name="poolName"/> or <paramref name="statistics"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="degradedWindow"/> is negative or longer than <see cref="ConnectionPoolOptions.MaxTimeout"/>.</exception>
    public ConnectionPoolHealthCheck(string poolName, Func<PoolStatistics> statistics, TimeProvider? timeProvider = null, TimeSpan? degradedWindow = null)
    {
        ArgumentNullException.ThrowIfNull(poolName);
        ArgumentNullException.ThrowIfNull(statistics);
        _poolName = poolName;
        _statistics = statistics;
        _time = timeProvider ?? TimeProvider.System;
        _window = degradedWindow ?? DefaultDegradedWindow;
        CheckWindow(_window, nameof(degradedWindow));
    }

    /// <summary>The default degraded window: 30 seconds.</summary>
    public static TimeSpan DefaultDegradedWindow { get; } = TimeSpan.FromSeconds(30);

    /// <summary>Reports the pool's state (see the remarks for the rules).</summary>
    /// <param name="context">The check's context; its registration's failure status replaces Unhealthy.</param>
    /// <param name="cancellationToken">Not used: the check does not wait.</param>
    /// <returns>The result, completed.</returns>
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var stats = _statistics();
        long now = _time.GetTimestamp();
        var (recentTimedOut, recentCreateFailures) = Observe(stats, now);
        var data = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["MaxSize"] = stats.MaxSize,
            ["Total"] = stats.Total,
            ["Idle"] = stats.Idle,
            ["InUse"] = stats.InUse,
            ["Creating"] = stats.Creating,
            ["Waiters"] = stats.Waiters,
            ["IsUnavailable"] = stats.IsUnavailable,
            ["ConsecutiveCreateFailures"] = stats.ConsecutiveCreateFailures,
            ["Acquired"] = stats.Acquired,
            ["TimedOut"] = stats.TimedOut,
            ["CreateFailures"] = stats.CreateFailures,
            ["FailedFast"] = stats.FailedFast,
            ["RecentTimedOut"] = recentTimedOut,
            ["RecentCreateFailures"] = recentCreateFailures,
        };
        var failure = context?.Registration?.FailureStatus ?? HealthStatus.Unhealthy;
        string pool = _poolName;
        var result = stats switch
        {
            { IsDisposed: true } => new HealthCheckResult(failure, $"Pool '{pool}' is disposed.", data: data),
            { IsUnavailable: true, Idle: 0 } => new HealthCheckResult(
                failure,
                $"Pool '{pool}' is unavailable: {LastCreates(stats.ConsecutiveCreateFailures)} and no idle connection is left, "
                + "so acquires fail at once until a probe create succeeds.",
                data: data),
            { IsUnavailable: true } => HealthCheckResult.Degraded(
                $"Pool '{pool}' is unavailable ({LastCreates(stats.ConsecutiveCreateFailures)}), "
                + $"but it still has {Count(stats.Idle, "idle connection")} to serve acquires.",
                data: data),
            _ when recentTimedOut > 0 || recentCreateFailures > 0 => HealthCheckResult.Degraded(
                $"Pool '{pool}': in the last {_window.ToString("c", CultureInfo.InvariantCulture)}, {Troubles(recentTimedOut, recentCreateFailures)}.",
                data: data),
            _ => HealthCheckResult.Healthy(
                $"Pool '{pool}' is available: {stats.Idle} idle, {stats.InUse} in use, {stats.Creating} creating, "
                + $"{stats.Waiters} waiting (MaxSize {stats.MaxSize}).",
                data: data),
        };
        return Task.FromResult(result);
    }

    internal static void CheckWindow(TimeSpan window, string paramName)
    {
        if (window < TimeSpan.Zero || window > ConnectionPoolOptions.MaxTimeout)
        {
            throw new ArgumentOutOfRangeException(
                paramName,
                window,
                $"The degraded window must be between 00:00:00 and {ConnectionPoolOptions.MaxTimeout.ToString("c", CultureInfo.InvariantCulture)}.");
        }
    }

    /// <summary>Records how far the counters grew since the last check and sums the growth within the window.</summary>
    private (long TimedOut, long CreateFailures) Observe(PoolStatistics stats, long now)
    {
        lock (_gate)
        {
            // Two checks racing may read the statistics in one order and get here in the other: never count backwards.
            long timedOut = Math.Max(0, stats.TimedOut - _seenTimedOut);
            long createFailures = Math.Max(0, stats.CreateFailures - _seenCreateFailures);
            _seenTimedOut = Math.Max(_seenTimedOut, stats.TimedOut);
            _seenCreateFailures = Math.Max(_seenCreateFailures, stats.CreateFailures);
            while (_recent.TryPeek(out var oldest) && _time.GetElapsedTime(oldest.At, now) >= _window)
            {
                _recent.Dequeue();
            }

            if (timedOut > 0 || createFailures > 0)
            {
                _recent.Enqueue(new Growth(now, timedOut, createFailures));
            }

            long recentTimedOut = 0, recentCreateFailures = 0;
            foreach (var growth in _recent)
            {
                recentTimedOut += growth.TimedOut;
                recentCreateFailures += growth.CreateFailures;
            }

            return (recentTimedOut, recentCreateFailures);
        }
    }

    private static string Troubles(long timedOut, long createFailures)
    {
        var parts = new List<string>(2);
        if (timedOut > 0)
        {
            parts.Add(timedOut == 1 ? "1 acquire timed out" : $"{timedOut} acquires timed out");
        }

        if (createFailures > 0)
        {
            parts.Add(createFailures == 1 ? "1 create failed" : $"{createFailures} creates failed");
        }

        return string.Join(" and ", parts);
    }

    private static string LastCreates(int failures) => failures == 1 ? "the last create failed" : $"the last {failures} creates failed";

    private static string Count(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";

    private readonly record struct Growth(long At, long TimedOut, long CreateFailures);
}
