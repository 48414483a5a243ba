using System.Runtime.CompilerServices;
using Qdrant.Client;

namespace Pool.Demo.Checks;

/// <summary>
/// Counts, per client instance, the workers holding it now. More holders at once than the pool's
/// MaxLeasesPerConnection means the pool handed out one lease twice (I7): reported at once, with the
/// client's number. Weakly keyed, so destroyed clients are not kept alive by the bookkeeping.
/// </summary>
internal sealed class LeaseTracker
{
    private readonly ConditionalWeakTable<QdrantClient, Holders> _holders = [];
    private readonly Violations _violations;
    private readonly int _maxHolders;
    private int _clients;
    private long _held;
    private long _doubleLeases;

    public LeaseTracker(Violations violations, int maxHolders = 1)
    {
        _violations = violations;
        _maxHolders = maxHolders;
    }

    /// <summary>Leases held by workers now, over all clients.</summary>
    public long Held => Interlocked.Read(ref _held);

    /// <summary>Times a client was taken while another worker held it.</summary>
    public long DoubleLeases => Interlocked.Read(ref _doubleLeases);

    /// <summary>Distinct clients ever leased.</summary>
    public int Clients => Volatile.Read(ref _clients);

    public void Enter(QdrantClient client)
    {
        var holders = _holders.GetValue(client, _ => new Holders(Interlocked.Increment(ref _clients)));
        Interlocked.Increment(ref _held);
        int now = Interlocked.Increment(ref holders.Count);
        if (now > _maxHolders)
        {
            Interlocked.Increment(ref _doubleLeases);
            string why = _maxHolders == 1 ? "one connection leased twice" : $"more than its {_maxHolders} leases: one lease handed out twice";
            _violations.Add($"I7 At most once violated: client #{holders.Id} is held by {now} workers at once ({why}).");
        }
    }

    public void Exit(QdrantClient client)
    {
        if (!_holders.TryGetValue(client, out var holders))
        {
            _violations.Add("A worker gave back a client it never took (the lease tracker has no record of it).");
            return;
        }

        Interlocked.Decrement(ref _held);
        int now = Interlocked.Decrement(ref holders.Count);
        if (now < 0)
        {
            _violations.Add($"I7 At most once violated: client #{holders.Id} was given back more often than it was taken ({now} holders).");
        }
    }

    private sealed class Holders(int id)
    {
        public int Count; // workers holding the client now; Interlocked

        public int Id { get; } = id;
    }
}
