namespace Pool.Tests.Unit.SharedLeases;

/// <summary>Connections in use against leases: the statistics, the leases gauge, the option's range.</summary>
public sealed class SharedStatisticsTests : PoolFixture<FakeTimeProvider>
{
    [Fact]
    public async Task Statistics_CountConnectionsInUse_LeasesAndTheBusiestConnection()
    {
        await using var pool = SharedPools.Create(Factory, Time, maxLeases: 4, maxSize: 2);
        Assert.Equal((0, 0, 0), pool.LeaseCounts());

        var leases = await pool.AcquireManyAsync(6); // c1: 4, c2: 2

        var stats = pool.Checked();
        Assert.Equal((2, 6, 4, 4), (stats.InUse, stats.Leases, stats.BusiestConnectionLeases, stats.MaxLeasesPerConnection));
        Assert.Equal((2, 6L), (stats.Total, stats.Acquired));
        foreach (var lease in leases.Take(4))
        {
            await lease.DisposeAsync();
        }

        Assert.Equal((1, 2, 2), pool.LeaseCounts());
        Assert.Equal(1, pool.Checked().Idle);
    }

    [Fact]
    public async Task Statistics_WithOneLeasePerConnection_LeasesEqualInUse()
    {
        await using var pool = TestPools.Create(Factory, Time, maxSize: 3);
        var leases = await pool.AcquireManyAsync(3);

        var stats = pool.Checked();
        Assert.Equal((3, 3, 1, 1), (stats.InUse, stats.Leases, stats.BusiestConnectionLeases, stats.MaxLeasesPerConnection));
        await leases[0].DisposeAsync();
        Assert.Equal((2, 2, 1), pool.LeaseCounts());
    }

    [Fact]
    public async Task LeasesGauge_CountsLeases_WhileConnectionCountKeepsCountingConnections()
    {
        await using var pool = SharedPools.Create(Factory, Time, maxLeases: 3, maxSize: 2);
        using var leases = pool.Collect<int>("pool.connection.leases");
        using var count = pool.Collect<int>("db.client.connection.count");

        var held = await pool.AcquireManyAsync(4);

        Assert.Equal([("test", null, 4)], leases.Observe().ByTag(Telemetry.State));
        Assert.Equal([("test", "idle", 0), ("test", "used", 2)], count.Observe().ByTag(Telemetry.State));
        await held[3].DisposeAsync();
        Assert.Equal([("test", null, 3)], leases.Observe().ByTag(Telemetry.State));
        Assert.Equal([("test", "idle", 1), ("test", "used", 1)], count.Observe().ByTag(Telemetry.State));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(1025)]
    public void MaxLeasesPerConnection_OutOfRange_IsRejectedNamingTheSettingAndTheRange(int value)
    {
        var options = TestPools.CoreOptions(Time);
        options.MaxLeasesPerConnection = value;

        var error = Assert.Throws<ArgumentException>(() => new ConnectionPool<TestConnection>(Factory, options));

        Assert.Equal($"Invalid ConnectionPoolOptions: MaxLeasesPerConnection is {value}; it must be between 1 and 1024. (Parameter 'options')", error.Message);
        Assert.Equal([$"MaxLeasesPerConnection is {value}; it must be between 1 and 1024."], options.Validate());
    }

    [Fact]
    public void MaxLeasesPerConnection_DefaultsToOne_AndTheLimitIsAccepted()
    {
        Assert.Equal(1, new ConnectionPoolOptions().MaxLeasesPerConnection);
        Assert.Empty(new ConnectionPoolOptions { MaxLeasesPerConnection = 1024 }.Validate());
    }

    [Fact]
    public void FindInvariantViolation_LeaseCountsBeyondTheLimitOrApartFromTheConnections_NameTheRule()
    {
        var sound = new PoolStatistics { MaxSize = 2, Ceiling = 2, MaxConcurrentCreates = 2, MaxLeasesPerConnection = 3, InUse = 2, Leases = 4, BusiestConnectionLeases = 3, Created = 2 };
        Assert.Null(sound.FindInvariantViolation());

        Assert.StartsWith("I12 Leases within the limit violated: 7 leases are out on 2 connections in use, the busiest holding 3, beyond MaxLeasesPerConnection 3 each.", (sound with { Leases = 7 }).FindInvariantViolation());
        Assert.StartsWith("I12 Leases within the limit violated:", (sound with { BusiestConnectionLeases = 4 }).FindInvariantViolation());
        Assert.StartsWith("I13 Lease conservation violated: 1 leases are out but 2 connections are in use, the busiest holding 3.", (sound with { Leases = 1 }).FindInvariantViolation());
        Assert.StartsWith("I13 Lease conservation violated:", (sound with { InUse = 0, Leases = 0, Created = 0 }).FindInvariantViolation());
        Assert.StartsWith("I12 Leases within the limit violated: 3 leases are out on 2 connections in use, the busiest holding 1, beyond MaxLeasesPerConnection 1 each.", (sound with { MaxLeasesPerConnection = 1, BusiestConnectionLeases = 1, Leases = 3 }).FindInvariantViolation());
        Assert.Null((sound with { MaxLeasesPerConnection = 0, Leases = 0, BusiestConnectionLeases = 0 }).FindInvariantViolation()); // a snapshot built by hand, without lease counts
    }
}
