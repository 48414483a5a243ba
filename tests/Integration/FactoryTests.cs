namespace Pool.Tests.Integration;

public sealed class FactoryTests : StandInPerTest
{
    [Fact]
    public async Task Create_against_a_stopped_server_fails_with_Unavailable_and_leaves_nothing_open()
    {
        var factory = new QdrantConnectionFactory(Pools.Options(StandIn.Address));
        await StandIn.StopAsync();
        var error = await Assert.ThrowsAsync<RpcException>(() => factory.CreateAsync(CancellationToken.None).AsTask());
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal(0, factory.LiveClients);
        Assert.Equal(0, factory.Created);
    }

    [Fact]
    public async Task Create_against_a_hung_server_fails_by_its_probe_deadline()
    {
        var options = Pools.Options(StandIn.Address);
        options.ConnectTimeout = TimeSpan.FromMilliseconds(200);
        options.HealthCheckTimeout = TimeSpan.FromMilliseconds(200);
        var factory = new QdrantConnectionFactory(options);
        StandIn.Faults.Hang = true;

        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<RpcException>(() => factory.CreateAsync(CancellationToken.None).AsTask());
        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(350), TimeSpan.FromSeconds(5));
        Assert.Equal(0, factory.LiveClients);
        await Waits.UntilAsync(() => StandIn.OpenConnections == 0, () => "the failed client's connection stayed open");
    }

    [Fact]
    public async Task Validate_fails_while_the_server_is_down_and_a_short_backoff_lets_it_pass_soon_after_the_restart()
    {
        var factory = new QdrantConnectionFactory(Pools.Options(StandIn.Address));
        var client = await factory.CreateAsync(CancellationToken.None);
        Assert.True(await factory.ValidateAsync(client, CancellationToken.None));

        await StandIn.StopAsync();
        Assert.False(await factory.ValidateAsync(client, CancellationToken.None));

        await StandIn.StartAsync();
        var clock = Stopwatch.StartNew();
        await Waits.UntilAsync(
            () => factory.ValidateAsync(client, CancellationToken.None).AsTask(),
            () => "the channel did not reconnect");

        // MaxReconnectBackoff is 2 s by default, not gRPC's 120 s.
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(3));
        await factory.DestroyAsync(client);
    }

    [Fact]
    public async Task Validate_of_a_hung_server_is_false_within_the_health_check_timeout()
    {
        var options = Pools.Options(StandIn.Address);
        options.HealthCheckTimeout = TimeSpan.FromMilliseconds(200);
        var factory = new QdrantConnectionFactory(options);
        var client = await factory.CreateAsync(CancellationToken.None);
        StandIn.Faults.Hang = true;

        var clock = Stopwatch.StartNew();
        Assert.False(await factory.ValidateAsync(client, CancellationToken.None));
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(150), TimeSpan.FromSeconds(5));
        await factory.DestroyAsync(client);
        Assert.Equal(1, factory.Destroyed);
    }
}
