namespace Pool.Tests.Systematic.Canaries;

/// <summary>Returns, destroys and dispose of the canary pool.</summary>
internal sealed partial class CanaryPool
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
        Task[] destroys;
        lock (_lock)
        {
            destroys = [.. _destroys];
        }

        await Task.WhenAll(destroys);
    }

    private void Return(TestConnection connection, bool invalidated)
    {
        Waiter? next = null;
        lock (_lock)
        {
            if (invalidated || _disposed)
            {
                _inUse--;
                _destroying++;
            }
            else if (_waiters.First is { } first)
            {
                next = first.Value; // Hand-off: still in use, now by the waiter.
                Dequeue_NeedsLock(next);
            }
            else
            {
                _inUse--;
                _idle.Push(connection);
            }
        }

        if (next is null)
        {
            if (invalidated || _disposed)
            {
                StartDestroy(connection);
            }
        }
        else if (!next.Completion.TrySetResult(connection) && bug != CanaryBug.LostHandOffToDeadWaiter)
        {
            Return(connection, invalidated: false); // The waiter gave up: give the connection to someone else.
        }
    }

    private void StartDestroy(TestConnection connection)
    {
        var destroy = DestroyAsync(connection);
        lock (_lock)
        {
            _destroys.Add(destroy);
        }
    }

    private async Task DestroyAsync(TestConnection connection)
    {
        try
        {
            await factory.DestroyAsync(connection);
        }
        catch (ScriptedFaultException)
        {
            // Counted as destroyed anyway, like the real pool.
        }

        Waiter? next = null;
        lock (_lock)
        {
            _destroying--;
            _destroyed++;
            if (!_disposed && _waiters.First is { } first)
            {
                next = first.Value; // The freed slot goes to the next waiter, which creates.
                Dequeue_NeedsLock(next);
                _creating++;
            }
        }

        next?.Completion.TrySetResult(null);
    }
}
