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

            while (_idle.TryPop(out var connection))
            {
                _destroying++;
                idle.Add(connection);
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

    private void Return(TestConnection connection, bool invalidated)
    {
        bool destroy;
        AfterLock? work = null;
        lock (_lock)
        {
            _inUse--;
            destroy = invalidated || _disposed;
            if (destroy)
            {
                _destroying++;
            }
            else
            {
                _idle.Push(connection);
                work = Settle_NeedsLock(); // hands it to the oldest waiter in the same step
            }
        }

        if (destroy)
        {
            StartDestroy(connection);
        }
        else
        {
            Run(work!);
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
