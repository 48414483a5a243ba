// The whole public API of Pool in one file: copy it and put your own connection in place of FakeConnection.
// Runs on its own (`dotnet run --project samples/Pool.Sample`): the connections are in memory.
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Pool;

// Metrics: every pool reports on the meter "Pool" (OpenTelemetry: .AddMeter(PoolDiagnostics.MeterName)).
var totals = new Dictionary<string, double>();
using var listener = new MeterListener();
listener.InstrumentPublished = (instrument, l) => { if (instrument.Meter.Name == PoolDiagnostics.MeterName) { l.EnableMeasurementEvents(instrument); } };
listener.SetMeasurementEventCallback<long>((i, value, _, _) => { lock (totals) { totals[i.Name] = totals.GetValueOrDefault(i.Name) + value; } });
listener.Start();

var factory = new FakeConnectionFactory();
var options = new ConnectionPoolOptions
{
    Name = "sample",                        // tags the metrics and log lines: keep it unique
    MaxSize = 4,
    MinSize = 1,                            // opened in the background, refilled after churn
    AcquireTimeout = TimeSpan.FromSeconds(2),
    CreateTimeout = TimeSpan.FromSeconds(1),
    FailFastAfter = 2,                      // two failed creates in a row: fail fast until one succeeds
    BackoffInitial = TimeSpan.FromMilliseconds(20),
    BackoffMax = TimeSpan.FromMilliseconds(100),
    LoggerFactory = new ConsoleLog(),       // in an app: the container's ILoggerFactory (and MeterFactory)
};
if (options.Validate() is [_, ..] problems) { throw new ArgumentException(string.Join("; ", problems)); }

await using var pool = new ConnectionPool<FakeConnection>(factory, options);
await pool.WarmUpAsync();                   // waits for the MinSize connections
Console.WriteLine($"warmed up: {pool.GetStatistics()}");

// Acquire, use, return: disposing the lease gives the connection back.
await using (var lease = await pool.AcquireAsync())
{
    Console.WriteLine(await lease.Connection.QueryAsync("ping"));
}

// Your own deadline and cancellation for one acquire.
using (var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
await using (var lease = await pool.AcquireAsync(TimeSpan.FromMilliseconds(500), cancel.Token))
{
    Console.WriteLine(await lease.Connection.QueryAsync("with a deadline"));
}

// TryAcquire never waits and never creates: an idle connection or nothing.
if (pool.TryAcquire(out var idle)) { using (idle) { Console.WriteLine($"TryAcquire got #{idle.Connection.Id}"); } }

// A connection that failed mid-use is invalidated: destroyed on return instead of reused.
await using (var lease = await pool.AcquireAsync())
{
    try { await lease.Connection.QueryAsync("breaks"); }
    catch (IOException e) { lease.Invalidate(); Console.WriteLine($"invalidated #{lease.Connection.Id}: {e.Message}"); }
}

// Every connection leased: the next acquire waits out its timeout.
var held = new List<PooledConnection<FakeConnection>>();
for (int i = 0; i < pool.MaxSize; i++) { held.Add(await pool.AcquireAsync()); }
try { await pool.AcquireAsync(TimeSpan.FromMilliseconds(100)); }
catch (PoolExhaustedException e) { Console.WriteLine($"exhausted: {e.Message}"); }
foreach (var lease in held) { await lease.DisposeAsync(); }

// Resize at run time: raising serves waiters at once; lowering never fails a lease in use.
pool.SetMaxSize(8);
pool.SetMinSize(2);
await pool.WarmUpAsync();
Console.WriteLine($"resized: {pool.GetStatistics()}");

// The backend goes down: Clear() retires every connection, creates fail, then the pool fails fast.
pool.SetMinSize(0);
factory.IsDown = true;
pool.Clear();
for (int i = 0; i < 3; i++)
{
    try { await using var lease = await pool.AcquireAsync(TimeSpan.FromSeconds(1)); }
    catch (ConnectionCreateException e) { Console.WriteLine($"create failed: {e.InnerException?.Message}"); }
    catch (PoolUnavailableException e) { Console.WriteLine($"unavailable: {e.Message}"); }
}

// The backend is back: the next create (a probe, after the backoff) closes the fast-fail window.
factory.IsDown = false;
for (int attempt = 1; ; attempt++)
{
    try
    {
        await using var lease = await pool.AcquireAsync();
        Console.WriteLine($"serving again after {attempt} attempt(s): {await lease.Connection.QueryAsync("ping")}");
        break;
    }
    catch (PoolUnavailableException) when (attempt < 50) { await Task.Delay(50); }
}

// A consistent snapshot, and the pool's own invariant check (use it in your soak tests).
var stats = pool.GetStatistics();
Console.WriteLine($"statistics: {stats}");
if (stats.FindInvariantViolation() is { } violation) { throw new InvalidOperationException(violation); }

await pool.DisposeAsync();                  // destroys every connection (`await using` would do it too)
lock (totals) { foreach (var (name, total) in totals) { Console.WriteLine($"metric {name}: {total}"); } }
Console.WriteLine($"connections open after dispose: {factory.Open}");
return factory.Open == 0 ? 0 : 1;

/// <summary>Stands in for a real connection (a socket, a database session, a gRPC client).</summary>
internal sealed class FakeConnection(int id)
{
    public int Id { get; } = id;
    public async Task<string> QueryAsync(string query)
    {
        await Task.Yield();
        return query == "breaks" ? throw new IOException("connection reset") : $"#{Id} answered {query}";
    }
}

/// <summary>Opens, checks and closes connections for the pool. The pool never calls it under its lock.</summary>
internal sealed class FakeConnectionFactory : IConnectionFactory<FakeConnection>
{
    private int _created, _open;
    public volatile bool IsDown;

    public int Open => Volatile.Read(ref _open);

    public async ValueTask<FakeConnection> CreateAsync(CancellationToken cancellationToken)
    {
        await Task.Delay(5, cancellationToken);  // a connect takes time; honour the pool's token
        if (IsDown) { throw new IOException("connection refused"); }
        Interlocked.Increment(ref _open);
        return new FakeConnection(Interlocked.Increment(ref _created));
    }

    // Called for a connection idle longer than ValidateAfterIdle, before it is handed out.
    public ValueTask<bool> ValidateAsync(FakeConnection connection, CancellationToken cancellationToken) => ValueTask.FromResult(!IsDown);

    public ValueTask DestroyAsync(FakeConnection connection) { Interlocked.Decrement(ref _open); return ValueTask.CompletedTask; }
}

/// <summary>A minimal console logger; in an app use LoggerFactory.Create(b => b.AddConsole()) or DI.</summary>
internal sealed class ConsoleLog : ILoggerFactory, ILogger
{
    public ILogger CreateLogger(string categoryName) => this;
    public void AddProvider(ILoggerProvider provider) { }
    public void Dispose() { }
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Console.WriteLine($"  log {logLevel} {eventId.Name}: {formatter(state, exception)}");
}
