using System.Diagnostics;
using Pool;
using Pool.Demo;
using Pool.Internal;

// 200 workers share a pool of 8 over a backend that refuses 5% of connects and breaks 1% of
// connections in use. Prints progress, a final table, and exits 1 if any invariant broke.
var duration = TimeSpan.FromSeconds(args.Length > 1 && args[0] == "--duration" ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5);
const int Workers = 200;
const int MaxSize = 8;

var factory = new FlakyFactory(failureRate: 0.05, seed: 42);
var pool = new ConnectionPool<FlakyFactory.Connection>(factory, new ConnectionPoolOptions
{
    MaxSize = MaxSize,
    AcquireTimeout = TimeSpan.FromMilliseconds(120),
    Name = "demo",
});

var violations = new List<string>();
var waits = new List<double>[Workers];
long calls = 0, createErrors = 0, timeouts = 0, broken = 0;
using var stop = new CancellationTokenSource(duration);
var clock = Stopwatch.StartNew();

var workers = Enumerable.Range(0, Workers).Select(w => Task.Run(async () =>
{
    var random = new Random(w);
    waits[w] = [];
    while (!stop.IsCancellationRequested)
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            await using var lease = await pool.AcquireAsync(stop.Token);
            waits[w].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            await Task.Delay(random.Next(1, 4));
            if (random.NextDouble() < 0.01)
            {
                lease.Invalidate();
                Interlocked.Increment(ref broken);
            }

            Interlocked.Increment(ref calls);
        }
        catch (ConnectionCreateException)
        {
            Interlocked.Increment(ref createErrors);
        }
        catch (PoolExhaustedException)
        {
            Interlocked.Increment(ref timeouts);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }
})).ToArray();

while (!Task.WhenAll(workers).IsCompleted)
{
    await Task.WhenAny(Task.WhenAll(workers), Task.Delay(1000));
    var s = pool.GetStatistics();
    if (PoolInvariants.FindViolation(s) is { } violation)
    {
        violations.Add(violation);
    }

    Console.WriteLine(
        $"[{clock.Elapsed.TotalSeconds,5:F1}s] calls={Interlocked.Read(ref calls),7} idle={s.Idle} used={s.InUse} creating={s.Creating} " +
        $"waiters={s.Waiters,3} created={s.Created} failures={s.CreateFailures} timeouts={s.TimedOut}");
}

await pool.DisposeAsync();
var end = pool.GetStatistics();
var all = waits.SelectMany(w => w).Order().ToArray();
double Percentile(double p) => all.Length == 0 ? 0 : all[Math.Min(all.Length - 1, (int)(p * all.Length))];

if (end.Total != 0 || factory.Live != 0)
{
    violations.Add($"leak after dispose: pool Total={end.Total}, factory live={factory.Live}");
}

if (factory.PeakLive > MaxSize)
{
    violations.Add($"I1 Capacity: peak live connections {factory.PeakLive} > MaxSize {MaxSize}");
}

if (factory.DoubleDestroys > 0)
{
    violations.Add($"I7 At most once: {factory.DoubleDestroys} connections destroyed twice");
}

Console.WriteLine();
Console.WriteLine($"{"workers",-22}{Workers}");
Console.WriteLine($"{"max size",-22}{MaxSize}");
Console.WriteLine($"{"calls",-22}{calls}");
Console.WriteLine($"{"created",-22}{end.Created}");
Console.WriteLine($"{"destroyed",-22}{end.Destroyed}");
Console.WriteLine($"{"peak live",-22}{factory.PeakLive}");
Console.WriteLine($"{"create failures",-22}{end.CreateFailures} ({createErrors} surfaced to callers)");
Console.WriteLine($"{"broken (invalidated)",-22}{broken}");
Console.WriteLine($"{"timeouts",-22}{end.TimedOut} ({timeouts} seen by workers)");
Console.WriteLine($"{"acquire wait p50",-22}{Percentile(0.50):F2} ms");
Console.WriteLine($"{"acquire wait p99",-22}{Percentile(0.99):F2} ms");
Console.WriteLine($"{"invariants",-22}{(violations.Count == 0 ? "held" : "BROKEN")}");
foreach (var v in violations)
{
    Console.Error.WriteLine(v);
}

return violations.Count == 0 ? 0 : 1;
