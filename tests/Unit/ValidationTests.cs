namespace Pool.Tests.Unit;

public sealed class ValidationTests
{
    private readonly ArmedTimerClock _time = new();
    private readonly FakeFactory _factory = new();

    private ConnectionPool<TestConnection> Create(int maxSize = 4, TimeSpan? acquireTimeout = null) =>
        TestPools.Create(_factory, _time, maxSize, acquireTimeout: acquireTimeout, configure: o =>
        {
            o.ValidateAfterIdle = TimeSpan.FromMilliseconds(500);
            o.ValidationTimeout = TimeSpan.FromSeconds(5);
        });

    [Fact]
    public async Task Acquire_ConnectionIdleLongerThanValidateAfterIdle_IsValidatedBeforeHandOut()
    {
        await using var pool = Create();
        var first = await pool.AcquireAsync();
        var connection = first.Connection;
        await first.DisposeAsync();

        _time.Advance(TimeSpan.FromMilliseconds(500));
        var notYet = await pool.AcquireAsync();
        Assert.Equal(0, _factory.ValidateCalls);
        await notYet.DisposeAsync();

        _time.Advance(TimeSpan.FromMilliseconds(501));
        await using var checkedLease = await pool.AcquireAsync();

        Assert.Equal(1, _factory.ValidateCalls);
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
        _factory.Validate = c => c != newer;
        _time.Advance(TimeSpan.FromSeconds(1));

        await using var lease = await pool.AcquireAsync();

        Assert.Same(older, lease.Connection);
        Assert.Equal((2, 1), (_factory.ValidateCalls, newer.DestroyCount));
        var stats = pool.Checked();
        Assert.Equal((1L, 1, 0, 2L), (stats.DestroyedValidationFailed, stats.InUse, stats.Idle, stats.Created));
    }

    [Fact]
    public async Task Acquire_EveryIdleConnectionFailsValidation_CreatesAFreshOneWithoutCheckingIt()
    {
        await using var pool = Create();
        var a = await pool.AcquireAsync();
        var stale = a.Connection;
        await a.DisposeAsync();
        _factory.Validate = c => c != stale;
        _time.Advance(TimeSpan.FromSeconds(1));

        await using var lease = await pool.AcquireAsync();

        Assert.NotSame(stale, lease.Connection);
        Assert.Equal((1, 2L, 1L), (_factory.ValidateCalls, pool.Checked().Created, pool.Checked().DestroyedValidationFailed));
    }

    [Fact]
    public async Task Acquire_ValidateAsyncThrows_CountsAsAFailedCheck()
    {
        await using var pool = Create();
        var a = await pool.AcquireAsync();
        await a.DisposeAsync();
        _factory.ValidateError = new IOException("broken pipe");
        _time.Advance(TimeSpan.FromSeconds(1));

        await using var lease = await pool.AcquireAsync();

        Assert.Equal((1L, 2L), (pool.Checked().DestroyedValidationFailed, pool.Checked().Created));
    }

    [Fact]
    public async Task Acquire_ValidationHangsPastValidationTimeout_DestroysTheConnectionAndGoesOn()
    {
        await using var pool = Create(acquireTimeout: TimeSpan.FromSeconds(30));
        var acquire = await AcquireThroughAHangingValidationAsync(pool);
        _time.Advance(TimeSpan.FromMilliseconds(4999));
        Assert.False(acquire.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        await using var lease = await acquire;
        Assert.Equal((1L, 2L, 0L), (pool.Checked().DestroyedValidationFailed, pool.Checked().Created, pool.Checked().TimedOut));
    }

    [Fact]
    public async Task Acquire_DeadlinePassesDuringValidation_ThrowsPoolExhaustedAndCountsATimeout()
    {
        await using var pool = Create(acquireTimeout: TimeSpan.FromSeconds(2));
        var acquire = await AcquireThroughAHangingValidationAsync(pool);
        _time.Advance(TimeSpan.FromSeconds(5));

        var error = await Assert.ThrowsAsync<PoolExhaustedException>(() => acquire);
        Assert.StartsWith("Timed out after 00:00:02 waiting for a connection from pool 'test'", error.Message, StringComparison.Ordinal);
        Assert.Equal((1L, 1L, 0), (pool.Checked().TimedOut, pool.Checked().DestroyedValidationFailed, pool.Checked().Total));
    }

    [Fact]
    public async Task Acquire_CancelledDuringValidation_ReturnsTheConnectionUnjudgedAndThrows()
    {
        await using var pool = Create();
        var a = await pool.AcquireAsync();
        await a.DisposeAsync();
        _factory.ValidateHangs = true;
        _time.Advance(TimeSpan.FromSeconds(1));
        using var cts = new CancellationTokenSource();

        var acquire = pool.AcquireAsync(cts.Token).AsTask();
        await Waits.Until(() => _factory.ValidateCalls == 1, "validation started");
        await cts.CancelAsync();

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => acquire);
        Assert.Equal(cts.Token, error.CancellationToken);
        var stats = pool.Checked();
        Assert.Equal((1, 0, 0L), (stats.Idle, stats.InUse, stats.Destroyed));
    }

    [Fact]
    public async Task Acquire_ValidationFailsAndAWaiterIsNeeded_WaitsForTheReplacementWithinTheDeadline()
    {
        await using var pool = Create(maxSize: 1);
        var a = await pool.AcquireAsync();
        await a.DisposeAsync();
        _factory.Validate = _ => false;
        _time.Advance(TimeSpan.FromSeconds(1));
        _factory.Gated = true;

        var acquire = pool.AcquireAsync().AsTask();
        await _factory.WaitForPendingAsync(1);
        Assert.Equal((1, 1), (pool.Checked().Waiters, pool.Checked().Creating));
        var fresh = _factory.CompleteNext();

        await using var lease = await acquire;
        Assert.Same(fresh, lease.Connection);
    }

    /// <summary>Leaves one connection idle for a second, makes validation hang, and starts an acquire that validates it.</summary>
    private async Task<Task<PooledConnection<TestConnection>>> AcquireThroughAHangingValidationAsync(ConnectionPool<TestConnection> pool)
    {
        var a = await pool.AcquireAsync();
        await a.DisposeAsync();
        _factory.ValidateHangs = true;
        _time.Advance(TimeSpan.FromSeconds(1));
        int armed = _time.Armed.Count;
        var acquire = pool.AcquireAsync().AsTask();
        await _time.UntilArmedAsync(armed + 1, "the validation deadline is armed");
        return acquire;
    }
}
