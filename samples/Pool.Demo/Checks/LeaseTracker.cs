using System.Runtime.CompilerServices;
using Qdrant.Client;

namespace Pool.Demo.Checks;

/// <summary>
/// Counts, per client instance, the workers holding it now. A second holder at once means the pool
/// leased one connection twice (I7): reported at once, with the client's number. Weakly keyed, so
/// destroyed clients are not kept alive by the bookkeeping.
/// </summary>
internal sealed class LeaseTracker
{
    private readonly ConditionalWeakTable<QdrantClient, Holders> _holders = [];
    private readonly Violations _violations;
    private int _clients;
    private long _held;
    private long _doubleLeases;

    public LeaseTracker(Violations violations) => _violations = violations;

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
        if (now > 1)
        {
            Interlocked.Increment(ref _doubleLeases);
            _violations.Add($"I7 At most once violated: client #{holders.Id} is held by {now} workers at once (one connection leased twice).");
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
