namespace Pool.Tests.Unit;

/// <summary>Each log event's id, name, level, message and structured state; silence when the level is off.</summary>
public sealed class LoggingTests : PoolFixture<ArmedTimerClock>
{
    private readonly FakeLogCollector _logs = new();

    [Fact]
    public async Task CreateFailuresAndTheFastFailWindow_AreLoggedWithTheirIdsLevelsStateAndTheErrorAsException()
    {
        using var loggers = Telemetry.Logs(_logs);
        await using var pool = TestPools.Create(Factory, Time, configure: o => (o.FailFastAfter, o.LoggerFactory) = (2, loggers));
        var outage = await FastFailOutage.OpenAndCloseAsync(pool, Factory, Time);
        await Waits.Until(() => _logs.Count == 4, "four events are logged");

        // Each event is logged after the lock by the thread that caused it, once its waiter is served:
        // threads log in any order, so the events are compared by id, then message (the failure count).
        var records = _logs.GetSnapshot().OrderBy(r => r.Id.Id).ThenBy(r => r.Message, StringComparer.Ordinal).ToArray();
        Assert.Equal(
            [
                (1, "CreateFailed", LogLevel.Warning, "Pool 'test' could not create a connection (failure 1 in a row)."),
                (1, "CreateFailed", LogLevel.Warning, "Pool 'test' could not create a connection (failure 2 in a row)."),
                (2, "Unavailable", LogLevel.Error, "Pool 'test' is unavailable after 2 failed creates: acquires fail fast until a probe create succeeds."),
                (3, "Available", LogLevel.Information, "Pool 'test' is available again: a probe create succeeded."),
            ],
            records.Select(r => (r.Id.Id, r.Id.Name!, r.Level, r.Message)));
        Assert.All(records.Take(3), r => Assert.Same(outage, r.Exception));
        Assert.Null(records[3].Exception);
        Assert.All(records, r => Assert.Equal(PoolDiagnostics.LoggerCategory, r.Category));
        Assert.Equal(("test", "2"), (records[1].GetStructuredStateValue("Pool"), records[1].GetStructuredStateValue("ConsecutiveFailures")));
        Assert.Equal("2", records[2].GetStructuredStateValue("ConsecutiveFailures"));
    }

    [Fact]
    public async Task CreateFailed_KeepsTheFactorysErrorOutOfTheMessageAndState()
    {
        using var loggers = Telemetry.Logs(_logs);
        await using var pool = TestPools.Create(Factory, Time, configure: o => o.LoggerFactory = loggers);
        var secret = new InvalidOperationException("login failed for Password=hunter2");
        Factory.CreateError = secret;

        await Assert.ThrowsAsync<ConnectionCreateException>(() => pool.AcquireAsync().AsTask());
        await Waits.Until(() => _logs.Count == 1, "the failure is logged");

        var record = _logs.LatestRecord;
        Assert.Same(secret, record.Exception); // the provider decides what of an exception it writes
        Assert.DoesNotContain("hunter2", record.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(record.StructuredState!, kv => kv.Value?.Contains("hunter2", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task Evicted_LogsEachReasonAtDebug_InTheWordsOfTheMetric()
    {
        using var loggers = Telemetry.Logs(_logs);
        var pool = TestPools.Create(Factory, Time, configure: o =>
        {
            Telemetry.ForDestroyEveryWay(o);
            o.LoggerFactory = loggers;
        });

        await Telemetry.DestroyOneForEachReasonAsync(pool, Factory, Time);

        var evicted = _logs.GetSnapshot().Where(r => r.Id.Name == "Evicted").ToArray();
        Assert.Equal(Telemetry.Reasons, evicted.Select(r => r.GetStructuredStateValue("Reason")));
        Assert.All(evicted, r => Assert.Equal((4, LogLevel.Debug, "test"), (r.Id.Id, r.Level, r.GetStructuredStateValue("Pool"))));
        Assert.Equal("Pool 'test' destroys a connection: validation_failed.", evicted[1].Message);
    }

    [Fact]
    public async Task CreateTimedOutAndDestroyFailed_AreWarningsWithTheTimeoutAndTheError()
    {
        using var loggers = Telemetry.Logs(_logs, LogLevel.Information);
        Factory.Gated = true;
        await using var pool = TestPools.Create(Factory, Time, maxSize: 1, acquireTimeout: TimeSpan.FromMinutes(1), configure: o =>
        {
            o.CreateTimeout = TimeSpan.FromSeconds(5);
            o.LoggerFactory = loggers;
        });
        var acquire = pool.AcquireAsync().AsTask();
        await Factory.WaitForPendingAsync(1);
        Time.Advance(TimeSpan.FromSeconds(5));
        await Assert.ThrowsAsync<ConnectionCreateException>(() => acquire);
        var closeError = new IOException("socket already closed");
        Factory.DestroyError = closeError;
        Factory.CompleteNext(); // the late connection is destroyed, and that throws
        await Waits.Until(() => _logs.Count == 3, "three events are logged");

        var records = _logs.GetSnapshot();
        Assert.Equal(
            [
                (1, "CreateFailed", LogLevel.Warning, "Pool 'test' could not create a connection (failure 1 in a row)."),
                (7, "CreateTimedOut", LogLevel.Warning, "Pool 'test' abandoned a create after CreateTimeout 00:00:05; its slot is free again."),
                (8, "DestroyFailed", LogLevel.Warning, "Pool 'test': destroying a connection threw; it is counted and ignored."),
            ],
            records.Select(r => (r.Id.Id, r.Id.Name!, r.Level, r.Message)));
        Assert.IsType<TimeoutException>(records[0].Exception);
        Assert.Equal("00:00:05", records[1].GetStructuredStateValue("Timeout"));
        Assert.Same(closeError, records[2].Exception);
    }

    [Fact]
    public async Task LeakEvents_CarryHeldForThresholdAndTheAcquireSiteAsState()
    {
        using var loggers = Telemetry.Logs(_logs);
        await using var pool = TestPools.Create(Factory, Time, configure: o =>
        {
            o.LeakDetectionThreshold = TimeSpan.FromSeconds(10);
            o.LoggerFactory = loggers;
        });
        var lease = await pool.AcquireAsync();
        Time.Advance(TimeSpan.FromSeconds(12));
        pool.RunMaintenance();
        Time.Advance(TimeSpan.FromSeconds(3));
        await lease.DisposeAsync();

        var (suspected, returned) = (_logs.GetSnapshot()[0], _logs.GetSnapshot()[1]);
        Assert.Equal((5, "LeakSuspected", LogLevel.Warning), (suspected.Id.Id, suspected.Id.Name!, suspected.Level));
        Assert.Equal(("00:00:12", "00:00:10"), (suspected.GetStructuredStateValue("HeldFor"), suspected.GetStructuredStateValue("Threshold")));
        Assert.Contains(nameof(LeakEvents_CarryHeldForThresholdAndTheAcquireSiteAsState), suspected.GetStructuredStateValue("AcquireSite"), StringComparison.Ordinal);
        Assert.Equal((6, "LeakReturned", LogLevel.Warning, "00:00:15"), (returned.Id.Id, returned.Id.Name!, returned.Level, returned.GetStructuredStateValue("HeldFor")));
        Assert.Equal(2, _logs.Count);
    }

    [Fact]
    public async Task EveryEvent_LevelOff_NothingIsWrittenOrFormatted()
    {
        var silent = new SilentLoggerFactory();
        Factory.Gated = true;
        var pool = TestPools.Create(Factory, Time, maxSize: 1, acquireTimeout: TimeSpan.FromMinutes(1), configure: o =>
        {
            o.LoggerFactory = silent;
            o.FailFastAfter = 1;
            o.CreateTimeout = TimeSpan.FromSeconds(5);
            o.LeakDetectionThreshold = TimeSpan.FromSeconds(1);
        });
        var failing = pool.AcquireAsync().AsTask();
        await Factory.WaitForPendingAsync(1);
        Time.Advance(TimeSpan.FromSeconds(5));                      // create timed out, failed, window opened
        await Assert.ThrowsAsync<PoolUnavailableException>(() => failing);
        Factory.DestroyError = new IOException("closed");
        Factory.CompleteNext();                                      // late connection; its destroy throws
        Factory.Gated = false;
        await Time.AdvanceUntilAsync(() => !pool.GetStatistics().IsUnavailable, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(5), "the probe closed the window");
        var leaked = await pool.AcquireAsync();
        Time.Advance(TimeSpan.FromSeconds(2));
        pool.RunMaintenance();                                        // leak suspected
        leaked.Invalidate();
        await leaked.DisposeAsync();                                  // leak returned, evicted, destroy failed
        await pool.DisposeAsync();

        Assert.Equal((1L, 1L, 1L), (pool.GetStatistics().CreateTimeouts, pool.GetStatistics().DestroyedInvalidated, pool.GetStatistics().LateConnections));
        Assert.Equal(0, silent.Writes);
        Assert.True(silent.Asked >= 8, $"the level was asked {silent.Asked} times");
    }

    /// <summary>Every level is off; counts the questions and any write that ignores the answer.</summary>
    private sealed class SilentLoggerFactory : ILoggerFactory, ILogger
    {
        private int _asked;
        private int _writes;

        public int Asked => Volatile.Read(ref _asked);

        public int Writes => Volatile.Read(ref _writes);

        public ILogger CreateLogger(string categoryName) => this;

        public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel)
        {
            Interlocked.Increment(ref _asked);
            return false;
        }

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Interlocked.Increment(ref _writes);

        public void Dispose()
        {
        }
    }
}
