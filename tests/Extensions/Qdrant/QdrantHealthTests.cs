using System.Diagnostics;
using Qdrant.Client.Grpc;

namespace Pool.Tests.Extensions.Qdrant;

/// <summary>
/// A Qdrant pool from the container, end to end against the stand-in on the real clock: it serves,
/// reports Healthy, Unhealthy while Qdrant is down and the window is open, Degraded once it is back
/// (the create failures are recent), and closes its connections when the host is disposed.
/// </summary>
public sealed class QdrantHealthTests
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(5); // longer than the test: the failures stay recent

    [Fact]
    public async Task APoolFromTheHost_IsHealthy_UnhealthyWhileQdrantIsDown_DegradedAfterItReturns_AndClosedWithTheHost()
    {
        await using var standIn = await QdrantStandIn.StartAsync();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Qdrant:Address"] = standIn.Address.ToString(),
            ["Qdrant:ConnectTimeout"] = "00:00:02",
            ["Qdrant:HealthCheckTimeout"] = "00:00:02",
            ["Qdrant:Pool:MaxSize"] = "3",
            ["Qdrant:Pool:MinSize"] = "0", // one connection, opened by the first call: the counts below are exact
            ["Qdrant:Pool:AcquireTimeout"] = "00:00:20",
            ["Qdrant:Pool:DisposeTimeout"] = "00:00:05",
        });
        builder.Services.AddQdrantClientPool().BindConfiguration("Qdrant").AddHealthCheck(degradedWindow: Window);
        var host = builder.Build();
        await host.StartAsync();
        var pool = host.Services.GetRequiredService<QdrantClientPool>();
        var health = host.Services.GetRequiredService<HealthCheckService>();

        await pool.RunAsync((client, token) => client.CreateCollectionAsync("docs", new VectorParams { Size = 4, Distance = Distance.Cosine }, cancellationToken: token));
        var collections = await pool.RunAsync((client, token) => client.ListCollectionsAsync(token));
        var up = await CheckAsync(health);

        Assert.Equal(["docs"], collections);
        Assert.Equal(HealthStatus.Healthy, up.Status);
        Assert.Equal("Pool 'qdrant' is available: 1 idle, 0 in use, 0 creating, 0 waiting (MaxSize 3).", up.Description);

        await standIn.StopAsync();
        var failures = await CallUntilUnavailableAsync(pool);
        var down = await CheckAsync(health);

        Assert.Equal(HealthStatus.Unhealthy, down.Status);
        Assert.Equal((true, 0, 0, 0), (down.Data["IsUnavailable"], down.Data["Idle"], down.Data["InUse"], down.Data["Waiters"]));
        Assert.Equal(
            $"Pool 'qdrant' is unavailable: the last {down.Data["ConsecutiveCreateFailures"]} creates failed and no idle connection is left, "
            + "so acquires fail at once until a probe create succeeds.",
            down.Description);
        Assert.InRange((int)down.Data["ConsecutiveCreateFailures"], 3, int.MaxValue); // FailFastAfter 3, then the probes
        // A call on the idle client fails with the transport error (and evicts it) unless validation
        // caught the dead connection first; then creates fail until the third opens the window.
        Assert.InRange(failures.Count(f => f == "RpcException"), 0, 1);
        Assert.Equal(["ConnectionCreateException", "ConnectionCreateException", "PoolUnavailableException"], failures.SkipWhile(f => f == "RpcException"));

        await standIn.StartAsync();
        await Until(() => !pool.GetStatistics().IsUnavailable, "a probe create got through to the restarted stand-in");
        var back = await pool.RunAsync((client, token) => client.ListCollectionsAsync(token));
        var recovering = await CheckAsync(health);

        Assert.Equal(["docs"], back);
        Assert.Equal(HealthStatus.Degraded, recovering.Status);
        Assert.Equal(recovering.Data["CreateFailures"], recovering.Data["RecentCreateFailures"]); // every failure is within the window
        Assert.Equal((0L, false), (recovering.Data["RecentTimedOut"], recovering.Data["IsUnavailable"]));
        Assert.Equal($"Pool 'qdrant': in the last 00:05:00, {recovering.Data["CreateFailures"]} creates failed.", recovering.Description);

        await host.StopAsync();
        host.Dispose(); // the host disposes its container asynchronously: the pool drains without blocking

        Assert.True(pool.GetStatistics().IsDisposed);
        Assert.Equal((0, pool.Factory.Created), (pool.Factory.LiveClients, pool.Factory.Destroyed));
        await Until(() => standIn.OpenConnections == 0, "the stand-in saw every connection close");
    }

    /// <summary>Calls until the pool fails fast; returns the exception type of each failed call in order.</summary>
    private static async Task<List<string>> CallUntilUnavailableAsync(QdrantClientPool pool)
    {
        var failures = new List<string>();
        while (failures.Count < 50)
        {
            try
            {
                await pool.RunAsync((client, token) => client.ListCollectionsAsync(token));
                failures.Add("success");
            }
            catch (Exception error) when (error is Grpc.Core.RpcException or ConnectionCreateException or PoolUnavailableException)
            {
                failures.Add(error.GetType().Name);
                if (error is PoolUnavailableException)
                {
                    return failures;
                }
            }
        }

        Assert.Fail($"The pool never failed fast: {string.Join(", ", failures)}");
        return failures;
    }

    private static async Task<HealthReportEntry> CheckAsync(HealthCheckService health) => (await health.CheckHealthAsync()).Entries["qdrant"];

    private static async Task Until(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"Timed out waiting until {what}.");
            await Task.Delay(10);
        }
    }
}
