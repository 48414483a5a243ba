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
            connection = _bug == CanaryBug.AbandonedCreateUncounted && _createTimeout != Timeout.InfiniteTimeSpan
                ? await CreateOrGiveUpAsync()
                : await _factory.CreateAsync(CancellationToken.None);
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
                _idle.Push(new Entry(connection, _nextEntry++));
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

    /// <summary>
    /// The AbandonedCreateUncounted bug, the canary's only CreateTimeout path (the correct canary waits for
    /// every create): at CreateTimeout the create fails and frees its slot at once, while the factory call
    /// (which ignores its token) runs on, counted nowhere against the creates in flight. The call and its
    /// late connection are counted in Abandoned as the real pool counts them (I1, I7), so only the bound
    /// on factory calls in flight (I8) can see the bug.
    /// </summary>
    private async Task<TestConnection> CreateOrGiveUpAsync()
    {
        var attempt = new Attempt();
        using var deadline = _time.CreateTimer(_ => GiveUpCreate(attempt), null, _createTimeout, Timeout.InfiniteTimeSpan);
        var call = Task.Run(() => CallFactoryAsync(attempt));
        lock (_lock)
        {
            _work.Add(call); // dispose waits for the abandoned call
        }

        return await attempt.Outcome.Task;
    }

    private async Task CallFactoryAsync(Attempt attempt)
    {
        TestConnection connection;
        try
        {
            connection = await _factory.CreateAsync(CancellationToken.None);
        }
        catch (Exception ex)
        {
            if (!EndCall_GaveUp(attempt, made: false))
            {
                attempt.Outcome.TrySetException(ex);
            }
            else
            {
                lock (_lock)
                {
                    _abandoned--;
                }
            }

            return;
        }

        if (!EndCall_GaveUp(attempt, made: true))
        {
            attempt.Outcome.TrySetResult(connection);
            return;
        }

        // Late: nobody wants it.
        try
        {
            await _factory.DestroyAsync(connection);
        }
        catch (Exception)
        {
            // Gone either way, like the real pool's late connections.
        }

        lock (_lock)
        {
            _abandoned--;
        }
    }

    /// <summary>Marks the call ended; true if the deadline had already given it up (then a connection it <paramref name="made"/> is late).</summary>
    private bool EndCall_GaveUp(Attempt attempt, bool made)
    {
        lock (_lock)
        {
            attempt.Ended = true;
            if (attempt.GaveUp && made)
            {
                _lateConnections++;
            }

            return attempt.GaveUp;
        }
    }

    private void GiveUpCreate(Attempt attempt)
    {
        lock (_lock)
        {
            if (attempt.Ended)
            {
                return; // the call answered first
            }

            attempt.GaveUp = true;
            _createTimeouts++;
            _abandoned++; // the bug: counted here only, never against the creates in flight
        }

        attempt.Outcome.TrySetException(new TimeoutException("The canary gave up a create at CreateTimeout."));
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

    /// <summary>One create under the AbandonedCreateUncounted bug: whichever of the call and the deadline comes first decides it.</summary>
    private sealed class Attempt
    {
        public TaskCompletionSource<TestConnection> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Ended { get; set; } // guarded by the pool's _lock

        public bool GaveUp { get; set; } // guarded by the pool's _lock
    }

    /// <summary>A create's backoff delay; rank 2 tells the <see cref="SteppedClock"/> it is a backoff, as the pool's are.</summary>
    private sealed class BackoffWait : IRankedTimerState
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Rank => 2;
    }
}
