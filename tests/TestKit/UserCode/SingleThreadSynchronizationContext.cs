using System.Collections.Concurrent;

namespace Pool.Tests.Kit;

/// <summary>
/// A UI-thread-like SynchronizationContext: posted work waits in a queue that only the owning thread
/// pumps (<see cref="Pump"/>). While that thread is blocked (in a synchronous Dispose), nothing posted
/// runs: the classic sync-over-async deadlock, made deterministic.
/// </summary>
public sealed class SingleThreadSynchronizationContext : SynchronizationContext
{
    private readonly ConcurrentQueue<(SendOrPostCallback Callback, object? State)> _queue = new();
    private readonly int _owner = Environment.CurrentManagedThreadId;
    private int _posted;

    /// <summary>Work posted so far (pumped or not).</summary>
    public int Posted => Volatile.Read(ref _posted);

    public override void Post(SendOrPostCallback d, object? state)
    {
        Interlocked.Increment(ref _posted);
        _queue.Enqueue((d, state));
    }

    public override void Send(SendOrPostCallback d, object? state) =>
        throw new NotSupportedException("Send would block on the owning thread; the pool must never need it.");

    public override SynchronizationContext CreateCopy() => this;

    /// <summary>Runs the queued work; only the owning thread may.</summary>
    /// <returns>How many items ran.</returns>
    public int Pump()
    {
        if (Environment.CurrentManagedThreadId != _owner)
        {
            throw new InvalidOperationException("Only the owning thread pumps its queue.");
        }

        int ran = 0;
        while (_queue.TryDequeue(out var item))
        {
            item.Callback(item.State);
            ran++;
        }

        return ran;
    }
}
