namespace Pool.Tests.Kit;

/// <summary>The canary's creates: an optional backoff wait, the factory call, and what a success or a failure does to the queue.</summary>
public sealed partial class CanaryPool
{
    private void StartCreate(int failuresBefore)
    {
        var create = CreateAsync(Backoff(failuresBefore));
        lock (_lock)
        {
            _work.Add(create);
        }
    }

    private async Task CreateAsync(TimeSpan backoff)
    {
        if (backoff > TimeSpan.Zero)
        {
            var wait = new BackoffWait();
            using var timer = _time.CreateTimer(static s => ((BackoffWait)s!).Done.TrySetResult(), wait, backoff, Timeout.InfiniteTimeSpan);
            await wait.Done.Task;
        }

        TestConnection connection;
        try
        {
            connection = await _factory.CreateAsync(CancellationToken.None);
        }
        catch (Exception ex)
        {
            CreateFailed(ex);
            return;
        }

        bool destroy;
        AfterLock work;
        lock (_lock)
        {
            _creating--;
            _created++;
            _consecutiveFailures = 0;
            destroy = _disposed;
            if (destroy)
            {
                _destroying++;
            }
            else
            {
                _idle.Push(connection);
            }

            work = Settle_NeedsLock();
        }

        if (destroy)
        {
            StartDestroy(connection);
        }

        Run(work);
    }

    private void CreateFailed(Exception error)
    {
        Waiter? failed = null;
        AfterLock? work = null;
        lock (_lock)
        {
            _createFailures++;
            _consecutiveFailures++;
            if (_bug != CanaryBug.SlotLeakOnFailedCreate)
            {
                _creating--; // SlotLeakOnFailedCreate: the bug, the reserved slot is never given back.
            }

            if (_bug != CanaryBug.NoWakeUpAfterFailedCreate) // the bug: the slot is free, but nobody is told and nothing retries
            {
                failed = _waiters.FirstOrDefault(w => !w.Dead);
                if (failed is not null)
                {
                    Dequeue_NeedsLock(failed); // the oldest waiter learns of the failure
                }

                work = Settle_NeedsLock();
            }
        }

        failed?.Completion.TrySetException(new ConnectionCreateException("The canary could not create a connection.", error));
        if (work is not null)
        {
            Run(work);
        }
    }

    /// <summary>The real pool's rule: no wait after a success; then BackoffInitial doubling up to BackoffMax, times the jitter draw.</summary>
    private TimeSpan Backoff(int failures)
    {
        if (failures <= 0)
        {
            return TimeSpan.Zero;
        }

        double ticks = Math.Min(_backoffInitial.Ticks * Math.Pow(2, Math.Min(failures - 1, 30)), _backoffMax.Ticks);
        return TimeSpan.FromTicks((long)ticks) * _random.NextDouble();
    }

    /// <summary>A create's backoff delay; rank 2 tells the <see cref="SteppedClock"/> it is a backoff, as the pool's are.</summary>
    private sealed class BackoffWait : IRankedTimerState
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Rank => 2;
    }
}
