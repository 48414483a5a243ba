namespace Pool.Tests.Kit;

/// <summary>Returns, destroys and dispose of the canary pool.</summary>
public sealed partial class CanaryPool
{
    public async ValueTask DisposeAsync()
    {
        var waiters = new List<Waiter>();
        var idle = new List<TestConnection>();
        lock (_lock)
        {
            _disposed = true;
            while (_waiters.First is { } first)
            {
                Dequeue_NeedsLock(first.Value);
                waiters.Add(first.Value);
            }

            while (_idle.TryPop(out var entry))
            {
                _destroying++;
                idle.Add(entry.Connection);
            }
        }

        foreach (var waiter in waiters)
        {
            waiter.Completion.TrySetException(new ObjectDisposedException(nameof(CanaryPool)));
        }

        idle.ForEach(StartDestroy);

        // Drained: creates in flight end (their connections are destroyed) and every destroy completes.
        while (true)
        {
            Task[] pending;
            lock (_lock)
            {
                pending = [.. _work.Where(t => !t.IsCompleted)];
            }

            if (pending.Length == 0)
            {
                break;
            }

            await Task.WhenAll(pending);
        }
    }

    /// <summary>
    /// One lease comes back. The connection goes idle (and to the oldest waiter) at its last lease, or is
    /// destroyed then if it is broken or the pool is disposed; a return that leaves a usable connection
    /// with room hands that room to the oldest waiter.
    /// </summary>
    private void Return(Entry entry, bool invalidated)
    {
        bool destroy = false;
        AfterLock? work = null;
        lock (_lock)
        {
            _leases--;
            entry.Broken |= invalidated;
            if (entry.Leases <= 0)
            {
                // Only the LeaseCountDecrementedTwice bug gets here: a stale return of a connection that
                // has no lease left; it miscounts the pool's leases and nothing else.
            }
            else if (--entry.Leases == 0)
            {
                _busy.Remove(entry);
                destroy = entry.Broken || _disposed;
                if (destroy)
                {
                    _destroying++;
                }
                else
                {
                    _idle.Push(entry);
                    work = Settle_NeedsLock(); // hands it to the oldest waiter in the same step
                }
            }
            else if (!entry.Broken)
            {
                work = Settle_NeedsLock(); // the room this lease leaves goes to the oldest waiter
            }
        }

        if (destroy)
        {
            StartDestroy(entry.Connection);
        }
        else if (work is not null)
        {
            Run(work);
        }
    }

    private void MarkBroken(Entry entry)
    {
        lock (_lock)
        {
            entry.Broken = true;
        }
    }

    private void StartDestroy(TestConnection connection)
    {
        var destroy = DestroyAsync(connection);
        lock (_lock)
        {
            _work.Add(destroy);
        }
    }

    private async Task DestroyAsync(TestConnection connection)
    {
        try
        {
            await _factory.DestroyAsync(connection);
        }
        catch (Exception)
        {
            // Counted as destroyed anyway, like the real pool.
        }

        AfterLock work;
        lock (_lock)
        {
            _destroying--;
            _destroyed++;
            work = Settle_NeedsLock(); // the freed slot may let a waiter's create start
        }

        Run(work);
    }
}
