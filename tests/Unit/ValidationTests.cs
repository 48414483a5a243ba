namespace Pool.Tests.Unit;

public sealed class ValidationTests : PoolFixture<ArmedTimerClock>
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(10)]
    public async Task ValidateAfterIdleWithinOneTick_OnTheSystemClock_ChecksEveryBorrow_EvenWithinTheSameTick(int milliseconds)
    {
        // The system clock's timestamps move once per kernel tick: a connection returned and taken
        // again reads as idle for 0, and one really idle for 2 ms may too. A check must never be
        // skipped when due, so a setting within one tick (up to 20 ms) checks every borrow.
        await using var pool = new ConnectionPool<TestConnection>(Factory, new ConnectionPoolOptions
        {
            MaxSize = 1,
            ValidateAfterIdle = TimeSpan.FromMilliseconds(milliseconds),
            MaintenanceInterval = Timeout.InfiniteTimeSpan,
            TimeProvider = TimeProvider.System,
        });
        for (int i = 0; i < 20; i++)
        {
            var lease = await pool.AcquireAsync();
            await lease.DisposeAsync();
        }

        Assert.Equal((20, 1L), (Factory.ValidateCalls, pool.GetStatistics().Created));
    }

    private ConnectionPool<TestConnection> Create(int maxSize = 4, TimeSpan? acquireTimeout = null) =>
        TestPools.Create(Factory, Time, maxSize, acquireTimeout: acquireTimeout, configure: o =>
        {
            o.ValidateAfterIdle = TimeSpan.FromMilliseconds(500);
            o.ValidationTimeout = TimeSpan.FromSeconds(5);
        });

    [Fact]
    public async Task Acquire_ConnectionIdleLongerThanValidateAfterIdle_IsValidatedBeforeHandOut()
    {
        await using var pool = Create();
        var connection = await pool.AcquireAndReturnAsync();

        Time.Advance(TimeSpan.FromMilliseconds(500));
        var notYet = await pool.AcquireAsync();
        Assert.Equal(0, Factory.ValidateCalls);
        await notYet.DisposeAsync();

        Time.Advance(TimeSpan.FromMilliseconds(501));
        await using var checkedLease = await pool.AcquireAsync();

        Assert.Equal(1, Factory.ValidateCalls);
        Assert.Same(connection, checkedLease.Connection);
    }

    [Fact]
    public async Task Acquire_ValidationFails_DestroysThatConnectionAndTakesTheNextIdleOneWithinTheSameAcquire()
    {
        await using var pool = Create();
        var a = await pool.AcquireAsync();
        var b = await pool.AcquireAsync();
        var (older, newer) = (a.Connection, b.Connection);
        await a.DisposeAsync();
        await b.DisposeAsync();
        Factory.Validate = c => c != newer;
        Time.Advance(TimeSpan.FromSeconds(1));

        await using var lease = await pool.AcquireAsync();

        Assert.Same(older, lease.Connection);
        Assert.Equal((2, 1), (Factory.ValidateCalls, newer.DestroyCount));
        var stats = pool.Checked();
        Assert.Equal((1L, 1, 0, 2L), (stats.DestroyedValidationFailed, stats.InUse, stats.Idle, stats.Created));
    }

    [Fact]
    public async Task Acquire_EveryIdleConnectionFailsValidation_CreatesAFreshOneWithoutCheckingIt()
    {
        await using var pool = Create();
        var stale = await pool.AcquireAndReturnAsync();
        Factory.Validate = c => c != stale;
        Time.Advance(TimeSpan.FromSeconds(1));

        await using var lease = await pool.AcquireAsync();

        Assert.NotSame(stale, lease.Connection);
        Assert.Equal((1, 2L, 1L), (Factory.ValidateCalls, pool.Checked().Created, pool.Checked().DestroyedValidationFailed));
    }

    [Fact]
    public async Task Acquire_ValidateAsyncThrows_CountsAsAFailedCheck()
    {
        await using var pool = Create();
        await pool.AcquireAndReturnAsync();
        Factory.ValidateError = new IOException("broken pipe");
        Time.Advance(TimeSpan.FromSeconds(1));

        await using var lease = await pool.AcquireAsync();

        Assert.Equal((1L, 2L), (pool.Checked().DestroyedValidationFailed, pool.Checked().Created));
    }

    [Fact]
    public async Task Acquire_ValidationHangsPastValidationTimeout_GoesOnAndDestroysTheConnectionOnceTheCallReturns()
    {
        await using var pool = Create(acquireTimeout: TimeSpan.FromSeconds(30));
        var acquire = await AcquireThroughAHangingValidationAsync(pool);
        Time.Advance(TimeSpan.FromMilliseconds(4999));
        Assert.False(acquire.IsCompleted);
        Time.Advance(TimeSpan.FromMilliseconds(1));

        await using var lease = await acquire;
        var during = pool.Checked();
        Assert.Equal((0L, 2L, 2, 0L), (during.DestroyedValidationFailed, during.Created, during.InUse, during.TimedOut));

        // Too late to count: even a "true" after ValidationTimeout destroys the connection.
        Factory.AnswerHungValidations(true);
        await Waits.Until(() => pool.GetStatistics().Destroyed == 1, "the timed-out check destroyed its connection");
        var after = pool.Checked();
        Assert.Equal((1L, 1, 0, 0L), (after.DestroyedValidationFailed, after.InUse, after.Idle, after.TimedOut));
    }

    [Fact]
    public async Task Acquire_DeadlinePassesDuringValidation_ThrowsPoolExhaustedAndCountsATimeout()
    {
        await using var pool = Create(acquireTimeout: TimeSpan.FromSeconds(2));
        var acquire = await AcquireThroughAHangingValidationAsync(pool);
        Time.Advance(TimeSpan.FromSeconds(5));

        var error = await Assert.ThrowsAsync<PoolExhaustedException>(() => acquire);
        Assert.StartsWith("Timed out after 00:00:02 waiting for a connection from pool 'test'", error.Message, StringComparison.Ordinal);
        Assert.Equal((1L, 0L, 1), (pool.Checked().TimedOut, pool.Checked().DestroyedValidationFailed, pool.Checked().Total));

        Factory.AnswerHungValidations(true);
        await Waits.Until(() => pool.GetStatistics().Total == 0, "the timed-out check destroyed its connection");
        Assert.Equal(1L, pool.Checked().DestroyedValidationFailed);
    }

    [Fact]
    public async Task Acquire_CancelledDuringValidation_ThrowsAtOnceAndTheConnectionStaysWithItsCheckUntilItReturns()
    {
        await using var pool = Create();
        using var cts = new CancellationTokenSource();

        var acquire = await AcquireIntoAHungCheckAsync(pool, TimeSpan.FromSeconds(1), cts.Token);
        await cts.CancelAsync();

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => acquire);
        Assert.Equal(cts.Token, error.CancellationToken);
        var during = pool.Checked();
        Assert.Equal((0, 1, 0L, 1L), (during.Idle, during.InUse, during.Destroyed, during.Cancelled));
        Assert.Equal(1, Factory.ValidationsRunning);

        Factory.AnswerHungValidations(true); // judged good within ValidationTimeout: idle again, checked now
        await Waits.Until(() => pool.GetStatistics().Idle == 1, "the check put its connection back");
        var after = pool.Checked();
        Assert.Equal((1, 0, 0L, 1L), (after.Idle, after.InUse, after.Destroyed, after.Cancelled));
    }

    [Fact]
    public async Task Acquire_CancelledDuringValidation_TheNextAcquireWaitsForTheCheckInsteadOfGettingTheConnectionUnchecked()
    {
        await using var pool = Create(maxSize: 1);
        using var cts = new CancellationTokenSource();
        var first = await AcquireIntoAHungCheckAsync(pool, TimeSpan.FromMinutes(10), cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);

        Factory.ValidateHangs = false;
        var second = pool.AcquireAsync().AsTask();
        await Waits.Until(() => pool.GetStatistics().Waiters == 1, "the second acquire queued");
        Assert.Equal((1, 0, 1), (Factory.ValidateCalls, pool.Checked().Idle, pool.Checked().InUse));

        Factory.AnswerHungValidations(false); // the check finds the connection broken
        await using var lease = await second;
        var stats = pool.Checked();
        Assert.Equal((1L, 2L, 1, 1L), (stats.DestroyedValidationFailed, stats.Created, stats.InUse, stats.Cancelled));
        Assert.Equal(2, lease.Connection.Id);
    }

    [Fact]
    public async Task Acquire_ValidationTimesOut_NoDestroyRunsWhileTheFactorysValidateAsyncStillRuns()
    {
        await using var pool = Create(acquireTimeout: TimeSpan.FromSeconds(30));
        var acquire = await AcquireThroughAHangingValidationAsync(pool);
        Time.Advance(TimeSpan.FromSeconds(5));
        await using var lease = await acquire;

        Assert.Equal((0, 1), (Factory.DestroyCalls, Factory.ValidationsRunning));
        Factory.AnswerHungValidations(false);
        await Waits.Until(() => Factory.DestroyCalls == 1, "the check's connection was destroyed");
        Assert.Empty(Factory.Overlaps);
    }

    [Fact]
    public async Task Acquire_ValidationFailsAndAWaiterIsNeeded_WaitsForTheReplacementWithinTheDeadline()
    {
        await using var pool = Create(maxSize: 1);
        await pool.AcquireAndReturnAsync();
        Factory.Validate = _ => false;
        Time.Advance(TimeSpan.FromSeconds(1));
        Factory.Gated = true;

        var acquire = pool.AcquireAsync().AsTask();
        await Factory.WaitForPendingAsync(1);
        Assert.Equal((1, 1), (pool.Checked().Waiters, pool.Checked().Creating));
        var fresh = Factory.CompleteNext();

        await using var lease = await acquire;
        Assert.Same(fresh, lease.Connection);
    }

    [Fact]
    public async Task Acquire_TimeProviderCannotArmTheValidationDeadline_FailsWithItsErrorAndTheUncheckedConnectionCountsAsFailed()
    {
        var clock = new FaultyClock();
        await using var pool = TestPools.Create(Factory, clock, configure: o =>
        {
            o.ValidateAfterIdle = TimeSpan.FromMilliseconds(500);
            o.ValidationTimeout = TimeSpan.FromSeconds(5);
        });
        await pool.AcquireAndReturnAsync();
        clock.Advance(TimeSpan.FromSeconds(1));
        clock.CreateTimerThrows = true;

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => pool.AcquireAsync().AsTask());

        Assert.Same(clock.Error, error);
        await Waits.Until(() => pool.GetStatistics().Total == 0, "the unchecked connection was destroyed");
        Assert.Equal((0, 1L, 0), (Factory.ValidateCalls, pool.Checked().DestroyedValidationFailed, pool.Checked().Idle));
        clock.CreateTimerThrows = false;
    }

    /// <summary>Leaves one connection idle for a second, makes validation hang, and starts an acquire that validates it.</summary>
    private async Task<Task<PooledConnection<TestConnection>>> AcquireThroughAHangingValidationAsync(ConnectionPool<TestConnection> pool)
    {
        await pool.AcquireAndReturnAsync();
        Factory.ValidateHangs = true;
        Time.Advance(TimeSpan.FromSeconds(1));
        int armed = Time.Armed.Count;
        var acquire = pool.AcquireAsync().AsTask();
        await Time.UntilArmedAsync(armed + 1, "the validation deadline is armed");
        return acquire;
    }

    /// <summary>
    /// An acquire with <paramref name="cancellationToken"/> that borrowed the one idle connection after
    /// <paramref name="idle"/> and is inside its check on borrow, which hangs (ValidateAsync has been called).
    /// </summary>
    private async Task<Task<PooledConnection<TestConnection>>> AcquireIntoAHungCheckAsync(
        ConnectionPool<TestConnection> pool, TimeSpan idle, CancellationToken cancellationToken)
    {
        await pool.AcquireAndReturnAsync();
        Factory.ValidateHangs = true;
        Time.Advance(idle);
        var acquire = pool.AcquireAsync(cancellationToken).AsTask();
        await Waits.Until(() => Factory.ValidateCalls == 1, "validation started");
        return acquire;
    }
}
