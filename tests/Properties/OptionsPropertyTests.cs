using System.Text.RegularExpressions;

namespace Pool.Tests.Properties;

/// <summary>Generated options: one digit per setting; 0–6 picks a valid value, 7–9 an invalid one (shrinks toward valid).</summary>
public sealed record OptionDigits(int[] Digits)
{
    public override string ToString() => $"OptionDigits[{string.Join(",", Digits)}]";
}

public static class OptionDigitsArbitrary
{
    public const int Settings = 20;

    public static Arbitrary<OptionDigits> Digits() => Arb.From(
        Gen.Choose(0, 9).ArrayOf(Settings).Select(d => new OptionDigits(d)),
        o => ArbMap.Default.ArbFor<int[]>().Shrinker(o.Digits)
            .Where(d => d.Length == Settings && d.All(x => x is >= 0 and <= 9))
            .Select(d => new OptionDigits(d)));
}

/// <summary>
/// Issue 5, part 4. The oracle below is written from the ranges in ConnectionPoolOptions' XML docs,
/// not from OptionsValidation.
/// </summary>
public sealed partial class OptionsPropertyTests
{
    private static readonly TimeSpan Max = ConnectionPoolOptions.MaxTimeout;
    private static readonly TimeSpan Inf = Timeout.InfiniteTimeSpan;

    [Property(MaxTest = 300, Arbitrary = new[] { typeof(OptionDigitsArbitrary) })]
    public Property Options_AreAcceptedAndHonoured_OrRejectedWithOneExceptionNamingEveryProblem(OptionDigits digits)
    {
        var (options, invalid) = Build(digits.Digits);
        var factory = new FakeFactory();
        ConnectionPool<TestConnection> pool;
        try
        {
            pool = new ConnectionPool<TestConnection>(factory, options);
        }
        catch (Exception ex)
        {
            if (invalid.Count == 0)
            {
                return false.Label($"valid options rejected: {ex.GetType().Name}: {ex.Message}");
            }

            if (ex.GetType() != typeof(ArgumentException))
            {
                return false.Label($"rejected with {ex.GetType().Name}, not ArgumentException: {ex.Message}");
            }

            var missing = invalid.Where(name => !ex.Message.Contains(name, StringComparison.Ordinal)).ToList();
            var named = NamedSetting().Matches(ex.Message).Select(m => m.Groups[1].Value).ToHashSet();
            var wrong = named.Where(n => !invalid.Contains(n)).ToList();
            return (missing.Count == 0 && wrong.Count == 0).Label(
                $"invalid: [{string.Join(", ", invalid)}]; not named: [{string.Join(", ", missing)}]; named but valid: [{string.Join(", ", wrong)}]; message: {ex.Message}");
        }

        if (invalid.Count > 0)
        {
            return false.Label($"accepted although invalid: [{string.Join(", ", invalid)}]");
        }

        // Honoured: a burst of MaxSize + 2 acquires gets exactly MaxSize leases, never more open.
        int burst = options.MaxSize + 2;
        var tasks = Enumerable.Range(0, burst).Select(_ => pool.AcquireAsync(Inf).AsTask()).ToList();
        int peak = 0;
        Waits.Spin(
            () =>
            {
                peak = Math.Max(peak, pool.GetStatistics().Total);
                return tasks.Count(t => t.IsCompletedSuccessfully) >= options.MaxSize;
            },
            TimeSpan.FromSeconds(60)); // a bound for a broken pool only

        var s = pool.GetStatistics();
        int leased = tasks.Count(t => t.IsCompletedSuccessfully);
        pool.DisposeAsync().AsTask().Wait(10_000);
        foreach (var t in tasks.Where(t => t.IsCompletedSuccessfully))
        {
            t.Result.Dispose();
        }

        return (leased == options.MaxSize && s.Waiters == 2 && peak <= options.MaxSize && factory.Live == 0)
            .Label($"MaxSize {options.MaxSize}: leased {leased}, waiters {s.Waiters}, peak total {peak}, live after dispose {factory.Live}");
    }

    [GeneratedRegex(@"(?:^|: |\. )([A-Za-z]+) is ")]
    private static partial Regex NamedSetting();

    private static (ConnectionPoolOptions Options, HashSet<string> Invalid) Build(int[] d)
    {
        var invalid = new HashSet<string>();
        int i = 0;
        T Pick<T>(string name, T[] valid, T[] bad)
        {
            int digit = d[i++];
            if (digit < 7 || bad.Length == 0)
            {
                return valid[digit % valid.Length];
            }

            invalid.Add(name);
            return bad[digit % bad.Length];
        }

        TimeSpan Time(string name, bool zero, bool infinite)
        {
            var valid = new List<TimeSpan> { TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(30), Max };
            var bad = new List<TimeSpan> { TimeSpan.FromMilliseconds(-5), Max + TimeSpan.FromMilliseconds(1), TimeSpan.MinValue };
            (zero ? valid : bad).Add(TimeSpan.Zero);
            (infinite ? valid : bad).Add(Inf);
            return Pick(name, valid.ToArray(), bad.ToArray());
        }

        var o = new ConnectionPoolOptions { TimeProvider = new SteppedClock(), MaintenanceInterval = Inf };
        o.MaxSize = Pick("MaxSize", new[] { 1, 2, 5 }, new[] { 0, -1, int.MinValue });
        int min = d[i++];
        o.MinSize = min < 7 ? min % 3 : (min == 7 ? -1 : Math.Max(o.MaxSize, 0) + 1);
        if (o.MinSize < 0 || o.MinSize > Math.Max(o.MaxSize, 0))
        {
            invalid.Add("MinSize"); // 0 … MaxSize (judged against max(MaxSize, 0) when MaxSize itself is invalid)
        }

        o.AcquireTimeout = Time("AcquireTimeout", zero: false, infinite: true);
        o.DisposeTimeout = Time("DisposeTimeout", zero: true, infinite: true);
        o.ValidateAfterIdle = Time("ValidateAfterIdle", zero: true, infinite: true);
        o.ValidationTimeout = Time("ValidationTimeout", zero: false, infinite: false);
        o.IdleTimeout = Time("IdleTimeout", zero: false, infinite: true);
        o.MaxLifetime = Time("MaxLifetime", zero: false, infinite: true);
        o.CreateTimeout = Time("CreateTimeout", zero: false, infinite: true);
        o.LifetimeJitter = Pick("LifetimeJitter", new[] { 0, 0.025, 0.5 }, new[] { -0.1, 0.51, double.NaN });
        o.MaxConcurrentCreates = Pick("MaxConcurrentCreates", new[] { 1, 2, 100 }, new[] { 0, -3 });
        o.BackoffInitial = Time("BackoffInitial", zero: false, infinite: false);
        o.BackoffMax = Time("BackoffMax", zero: false, infinite: false);
        if (o.BackoffMax < o.BackoffInitial && o.BackoffInitial > TimeSpan.Zero && !invalid.Contains("BackoffInitial") && !invalid.Contains("BackoffMax"))
        {
            invalid.Add("BackoffMax"); // BackoffInitial … MaxTimeout
        }

        o.FailFastAfter = Pick("FailFastAfter", new[] { 0, 3, 1000 }, new[] { -1 });
        o.LeakDetectionThreshold = Pick<TimeSpan?>("LeakDetectionThreshold", new TimeSpan?[] { null, TimeSpan.FromSeconds(1), Max }, new TimeSpan?[] { TimeSpan.Zero, Inf, TimeSpan.FromSeconds(-1) });
        o.MaintenanceInterval = Pick<TimeSpan?>("MaintenanceInterval", new TimeSpan?[] { Inf, Inf, Inf }, new TimeSpan?[] { TimeSpan.Zero, TimeSpan.FromSeconds(-1) });
        if (d[i++] >= 7)
        {
            o.TimeProvider = null!;
            invalid.Add("TimeProvider");
        }

        if (d[i++] >= 7)
        {
            o.Random = null!;
            invalid.Add("Random");
        }

        o.Name = Pick("Name", new[] { "pool", "p", new string('x', 128) }, new[] { "", "   ", new string('x', 129), null! });
        return (o, invalid);
    }
}
