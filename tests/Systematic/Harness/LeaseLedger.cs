namespace Pool.Tests.Systematic.Harness;

/// <summary>
/// The scenario's own count of the leases it holds, per connection: the ground truth the shared-lease
/// invariants are checked against, for the real pool and the canaries alike (neither shows its
/// per-connection counts). A connection is noted with the factory when its first scenario lease comes
/// and released at its last, so the factory's checks (no destroy or validation while leased) read
/// "while any lease holds it".
/// </summary>
/// <remarks>
/// The pool always counts a lease before the scenario does (a grant completes before the acquirer's
/// continuation notes it) and after (a lease is noted returned before the pool is told), so the
/// scenario's counts are never above the pool's: a count above K here is one above K in the pool, and
/// the pool counting fewer connections in use than the scenario holds is a lease the pool lost track of.
/// Runs under Coyote only (one operation at a time, no scheduling point inside): no lock.
/// </remarks>
internal sealed class LeaseLedger(CheckedFactory factory, int maxLeasesPerConnection)
{
    private readonly Dictionary<int, int> _held = [];
    private readonly Dictionary<int, (long At, string Why)> _unusable = [];
    private long _clock;

    /// <summary>Scenario leases held now.</summary>
    public int Leases { get; private set; }

    /// <summary>Connections the scenario holds at least one lease on.</summary>
    public int Connections => _held.Count;

    /// <summary>The scenario's next event number: an acquire takes one when it starts, a mark when it is made.</summary>
    public long Tick() => ++_clock;

    /// <summary>How many leases the scenario holds on <paramref name="connection"/>.</summary>
    public int HeldOn(TestConnection connection) => _held.GetValueOrDefault(connection.Id);

    /// <summary>
    /// Marks <paramref name="connection"/> as taking no new lease from now on (invalidated, expired,
    /// cleared or surplus), once the call that made it so has returned: an acquire that starts later must
    /// never get it.
    /// </summary>
    public void MarkUnusable(TestConnection connection, string why) => _unusable.TryAdd(connection.Id, (Tick(), why));

    /// <summary>An acquire that started at <paramref name="started"/> got a lease on <paramref name="connection"/>.</summary>
    public void Leased(TestConnection connection, long started, string who)
    {
        int held = HeldOn(connection) + 1;
        // Exclusive leases: a second holder is the factory's I7 "held by two leases at once".
        factory.NoteLeased(connection, shared: held > 1 && maxLeasesPerConnection > 1);

        Check.That(
            held <= maxLeasesPerConnection, PoolInvariants.LeasesWithinLimit,
            () => $"'{who}' got a lease on {connection}, which the scenario already holds {held - 1} leases on; MaxLeasesPerConnection is {maxLeasesPerConnection}.");
        if (_unusable.TryGetValue(connection.Id, out var mark))
        {
            Check.That(
                mark.At > started, PoolInvariants.OnlyUsableConnectionsTakeLeases,
                () => $"'{who}' started acquiring after {connection} was {mark.Why}, yet got a lease on it.");
        }

        _held[connection.Id] = held;
        Leases++;
    }

    /// <summary>The scenario is about to return one lease on <paramref name="connection"/> (before the pool is told).</summary>
    public void Returned(TestConnection connection)
    {
        int held = HeldOn(connection) - 1;
        Leases--;
        if (held > 0)
        {
            _held[connection.Id] = held;
            return;
        }

        _held.Remove(connection.Id);
        factory.NoteReturned(connection);
    }
}
