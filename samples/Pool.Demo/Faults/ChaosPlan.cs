using System.Globalization;
using Pool.Demo.CommandLine;

namespace Pool.Demo.Faults;

/// <summary>
/// The soak's faults as two endless sequences drawn from the seed, one per lane of the
/// <see cref="ChaosMonkey"/>: conditions (a calm pause, then a window of latency, <c>Unavailable</c>
/// answers or hangs on a share of the calls, possibly with a lull in the load) and incidents (a
/// gap, then a restart, a cut of all or some connections, or <c>pool.Clear()</c>). Every step draws
/// the same numbers whatever its kind, so one seed always gives the same steps.
/// </summary>
internal static class ChaosPlan
{
    private static readonly double[] Shares = [0.05, 0.25, 0.5, 1];

    public static IEnumerable<Condition> Conditions(int seed)
    {
        var random = new Random(seed);
        while (true)
        {
            var calm = Millis(random, 100, 1500);
            var kind = (ConditionKind)random.Next(4);
            bool lull = random.NextDouble() < 0.35;
            double share = Shares[random.Next(Shares.Length)];
            bool spareHealth = random.Next(2) == 0;
            var length = Millis(random, 100, lull ? 4000 : 1500);
            var latency = Millis(random, 5, 300);
            yield return new Condition(calm, kind, lull, share, spareHealth, length, latency);
        }
    }

    public static IEnumerable<Incident> Incidents(int seed, int maxSize)
    {
        var random = new Random(unchecked(seed ^ 0x2545F491)); // its own stream: the lanes do not shift each other
        while (true)
        {
            var gap = Millis(random, 300, 3000);
            double pick = random.NextDouble();
            var downFor = Millis(random, 50, 1500);
            int some = 1 + random.Next(Math.Max(1, maxSize / 2));
            var kind = pick switch
            {
                < 0.35 => IncidentKind.Restart,
                < 0.5 => IncidentKind.CutAll,
                < 0.75 => IncidentKind.CutSome,
                _ => IncidentKind.Clear,
            };
            yield return new Incident(gap, kind, downFor, some);
        }
    }

    private static TimeSpan Millis(Random random, int min, int max) => TimeSpan.FromMilliseconds(random.Next(min, max + 1));

    internal enum ConditionKind
    {
        Latency,
        Unavailable,
        Hang,
        None,
    }

    internal enum IncidentKind
    {
        Restart,
        CutAll,
        CutSome,
        Clear,
    }

    /// <summary>After <see cref="Calm"/>, a window of <see cref="Length"/>.</summary>
    internal sealed record Condition(TimeSpan Calm, ConditionKind Kind, bool Lull, double Share, bool SpareHealth, TimeSpan Length, TimeSpan Latency)
    {
        /// <summary>What the window does, as the timeline and the live table show it.</summary>
        public override string ToString()
        {
            var what = new List<string>();
            what.AddRange(Kind switch
            {
                ConditionKind.Latency => [$"latency {DurationText.Show(Latency)}"],
                ConditionKind.Unavailable => ["Unavailable answers"],
                ConditionKind.Hang => ["hangs"],
                _ => Array.Empty<string>(),
            });
            if (Lull)
            {
                what.Add($"a lull ({Rig.LullWorkers} workers call)");
            }

            string scope = Kind == ConditionKind.None ? string.Empty
                : string.Create(CultureInfo.InvariantCulture, $" on {Share:P0} of calls{(SpareHealth ? " (health checks spared)" : string.Empty)}");
            return $"{(what.Count == 0 ? "calm" : string.Join(" + ", what))}{scope} for {DurationText.Show(Length)}";
        }
    }

    /// <summary>After <see cref="Gap"/>, one incident.</summary>
    internal sealed record Incident(TimeSpan Gap, IncidentKind Kind, TimeSpan DownFor, int Some)
    {
        /// <summary>The label the timeline's entry for it starts with.</summary>
        public string Label => Kind switch
        {
            IncidentKind.Restart => "restart",
            IncidentKind.CutAll => "cut all",
            IncidentKind.CutSome => "cut some",
            _ => "pool.Clear()",
        };
    }
}
