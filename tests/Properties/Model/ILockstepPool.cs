namespace Pool.Tests.Properties.Model;

/// <summary>
/// What the model-based property drives in lockstep with the model: the real pool, or the model canary.
/// Synchronous by design (one step, then settle), unlike the Coyote scenarios' async IPoolUnderTest:
/// acquires are named by number and the adapter keeps their tasks and leases.
/// </summary>
internal interface ILockstepPool
{
    FakeFactory Factory { get; }

    /// <summary>Starts acquire <paramref name="id"/>: timeout 0 = the pool's default, Inf = infinite.</summary>
    void Acquire(int id, long timeout, bool cancellable);

    void TryAcquire(int id);

    void Return(int id, bool invalidate);

    void Cancel(int id);

    /// <summary>What acquire <paramref name="id"/> got so far (Pending while it waits).</summary>
    Outcome OutcomeOf(int id);

    /// <summary>Advances the clock, firing one timer at a time and settling after each.</summary>
    void Advance(long delta);

    /// <summary>False if the pool rejected the value with ArgumentOutOfRangeException.</summary>
    bool SetMaxSize(int n);

    bool SetMinSize(int n);

    void Clear();

    void RunMaintenance();

    void Dispose();

    bool DisposeCompleted { get; }

    PoolStatistics Statistics();

    /// <summary>Waits (bounded) until background work has reached rest; false if it did not.</summary>
    bool Settle();
}
