namespace Pool.Internal;

/// <summary>
/// Strict FIFO queue of waiters with O(1) removal from the middle, so a cancelled or timed-out
/// waiter leaves at once instead of being skipped later. Not thread-safe: the pool's lock guards it.
/// </summary>
internal sealed class WaiterQueue<TConnection>
{
    private Waiter<TConnection>? _head;
    private Waiter<TConnection>? _tail;

    public int Count { get; private set; }

    public void Enqueue(Waiter<TConnection> waiter)
    {
        waiter.IsQueued = true;
        waiter.Previous = _tail;
        waiter.Next = null;
        if (_tail is null)
        {
            _head = waiter;
        }
        else
        {
            _tail.Next = waiter;
        }

        _tail = waiter;
        Count++;
    }

    public bool TryDequeue(out Waiter<TConnection> waiter)
    {
        if (_head is null)
        {
            waiter = null!;
            return false;
        }

        waiter = _head;
        Remove(waiter);
        return true;
    }

    /// <summary>Removes the waiter if it is still queued; false if someone else already decided it.</summary>
    public bool Remove(Waiter<TConnection> waiter)
    {
        if (!waiter.IsQueued)
        {
            return false;
        }

        if (waiter.Previous is null)
        {
            _head = waiter.Next;
        }
        else
        {
            waiter.Previous.Next = waiter.Next;
        }

        if (waiter.Next is null)
        {
            _tail = waiter.Previous;
        }
        else
        {
            waiter.Next.Previous = waiter.Previous;
        }

        waiter.Next = null;
        waiter.Previous = null;
        waiter.IsQueued = false;
        Count--;
        return true;
    }
}
