using System.Collections.Concurrent;

namespace Pool.Demo.Faults;

/// <summary>Faults injected so far, per kind, in the order the kinds first appeared.</summary>
internal sealed class FaultCounts
{
    public const string Restart = "stand-in restart (crash, down, up)";
    public const string KillAll = "all connections cut";
    public const string KillSome = "some connections cut";
    public const string Latency = "latency window";
    public const string Unavailable = "Unavailable window";
    public const string Hang = "hang window";
    public const string Lull = "load lull (2 workers call)";
    public const string Clear = "pool.Clear()";
    public const string Cancel = "client cancellation";
    public const string ShortTimeout = "short acquire timeout";
    public const string Invalidate = "random lease.Invalidate()";
    public const string Hold = "lease held longer";

    private static readonly string[] Order = [Restart, KillAll, KillSome, Latency, Unavailable, Hang, Lull, Clear, Cancel, ShortTimeout, Invalidate, Hold];
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);

    public void Add(string kind) => _counts.AddOrUpdate(kind, 1, static (_, n) => n + 1);

    public long this[string kind] => _counts.TryGetValue(kind, out long n) ? n : 0;

    public long Total => _counts.Values.Sum();

    /// <summary>Every kind with its count, in a fixed order (kinds never injected show 0).</summary>
    public IReadOnlyList<(string Kind, long Count)> All => [.. Order.Select(k => (k, this[k]))];
}
