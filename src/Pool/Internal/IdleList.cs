namespace Pool.Internal;

/// <summary>
/// The idle connections, newest at the head. Acquires take the newest (warm, recently checked);
/// reaping looks at the oldest first, so surplus connections can age out. Intrusive: no allocation
/// per push or pop. Not thread-safe: the pool's lock guards it.
/// </summary>
internal sealed class IdleList<TConnection>
{
    private ConnectionEntry<TConnection>? _newest;
    private ConnectionEntry<TConnection>? _oldest;

    public int Count { get; private set; }

    public ConnectionEntry<TConnection>? Oldest => _oldest;

    public void PushNewest(ConnectionEntry<TConnection> entry, long now)
    {
        PoolInvariants.Require(!entry.IsIdle, "I7 At most once", "a connection was put into the idle list twice.");
        entry.IsIdle = true;
        entry.IdleSince = now;
        entry.Newer = null;
        entry.Older = _newest;
        if (_newest is null)
        {
            _oldest = entry;
        }
        else
        {
            _newest.Newer = entry;
        }

        _newest = entry;
        Count++;
    }

    public bool TryPopNewest(out ConnectionEntry<TConnection> entry)
    {
        if (_newest is null)
        {
            entry = null!;
            return false;
        }

        entry = _newest;
        Remove(entry);
        return true;
    }

    public void Remove(ConnectionEntry<TConnection> entry)
    {
        if (entry.Newer is null)
        {
            _newest = entry.Older;
        }
        else
        {
            entry.Newer.Older = entry.Older;
        }

        if (entry.Older is null)
        {
            _oldest = entry.Newer;
        }
        else
        {
            entry.Older.Newer = entry.Newer;
        }

        entry.Newer = null;
        entry.Older = null;
        entry.IsIdle = false;
        Count--;
    }
}
