namespace Pool.Internal;

/// <summary>
/// What a locked section decided that must happen after the lock is released: waiters to complete,
/// creates to start, connections to destroy. The common case (one waiter or nothing) allocates nothing.
/// </summary>
internal struct PendingWork<TConnection>
{
    private Waiter<TConnection>? _waiter;
    private List<Waiter<TConnection>>? _moreWaiters;
    private ConnectionEntry<TConnection>? _destroy;
    private List<ConnectionEntry<TConnection>>? _moreDestroys;

    /// <summary>Creates whose slots were reserved under the lock.</summary>
    public int CreatesToStart { get; set; }

    /// <summary>The pool is disposed and its last slot was released.</summary>
    public bool Drained { get; set; }

    public readonly bool IsEmpty =>
        _waiter is null && _destroy is null && CreatesToStart == 0 && !Drained;

    public void Deliver(Waiter<TConnection> waiter)
    {
        if (_waiter is null)
        {
            _waiter = waiter;
        }
        else
        {
            (_moreWaiters ??= []).Add(waiter);
        }
    }

    public void Destroy(ConnectionEntry<TConnection> entry)
    {
        if (_destroy is null)
        {
            _destroy = entry;
        }
        else
        {
            (_moreDestroys ??= []).Add(entry);
        }
    }

    public readonly void DeliverWaiters()
    {
        _waiter?.Deliver();
        if (_moreWaiters is not null)
        {
            foreach (var waiter in _moreWaiters)
            {
                waiter.Deliver();
            }
        }
    }

    public readonly void StartDestroys(ConnectionPool<TConnection> pool)
    {
        if (_destroy is not null)
        {
            pool.StartDestroy(_destroy);
        }

        if (_moreDestroys is not null)
        {
            foreach (var entry in _moreDestroys)
            {
                pool.StartDestroy(entry);
            }
        }
    }
}
