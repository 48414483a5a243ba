namespace Pool.Tests.Integration;

public sealed class OptionsTests
{
    private const string Key = "TOP-SECRET-api-key-123";

    [Fact]
    public void ToString_masks_the_api_key()
    {
        var options = new QdrantPoolOptions { ApiKey = Key };
        string text = options.ToString();
        Assert.DoesNotContain(Key, text, StringComparison.Ordinal);
        Assert.Contains("ApiKey = ***", text, StringComparison.Ordinal);
        Assert.Contains("Address = http://localhost:6334,", text, StringComparison.Ordinal);
        Assert.Contains("ApiKey = (none)", new QdrantPoolOptions().ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_defaults_are_valid_and_always_set_a_deadline()
    {
        var options = new QdrantPoolOptions();
        Assert.Equal(TimeSpan.FromSeconds(30), options.GrpcTimeout);
        Assert.Equal("qdrant", options.Pool.Name);
        _ = new QdrantConnectionFactory(options);
    }

    [Fact]
    public void The_binding_caps_the_backoff_at_one_second_and_changing_the_pool_in_place_keeps_it()
    {
        var defaults = new QdrantPoolOptions();
        Assert.Equal(TimeSpan.FromSeconds(1), QdrantPoolOptions.DefaultBackoffMax);
        Assert.Equal(QdrantPoolOptions.DefaultBackoffMax, defaults.Pool.BackoffMax);
        Assert.Equal(new ConnectionPoolOptions().BackoffInitial, defaults.Pool.BackoffInitial);
        Assert.NotSame(defaults.Pool, new QdrantPoolOptions().Pool);

        var sized = new QdrantPoolOptions { Pool = { MaxSize = 16 } };
        Assert.Equal(16, sized.Pool.MaxSize);
        Assert.Equal(QdrantPoolOptions.DefaultBackoffMax, sized.Pool.BackoffMax);
        Assert.Contains("BackoffMax = 00:00:01", sized.ToString(), StringComparison.Ordinal);

        // The trap the XML docs warn about: a new ConnectionPoolOptions starts from the core defaults.
        Assert.Equal(TimeSpan.FromSeconds(10), new QdrantPoolOptions { Pool = new ConnectionPoolOptions() }.Pool.BackoffMax);
    }

    [Fact]
    public void One_exception_lists_every_problem_with_the_setting_and_its_range()
    {
        var options = new QdrantPoolOptions
        {
            Address = new Uri("ftp://example.com/path"),
            ApiKey = Key + "\n",
            CertificateThumbprint = "abc",
            GrpcTimeout = Timeout.InfiniteTimeSpan,
            HealthCheckTimeout = TimeSpan.Zero,
            ConnectTimeout = TimeSpan.FromSeconds(-1),
            KeepAlivePingDelay = TimeSpan.FromMilliseconds(10),
            KeepAlivePingTimeout = TimeSpan.FromMilliseconds(10),
            MaxReconnectBackoff = TimeSpan.Zero,
            Pool = null!,
        };

        var error = Assert.Throws<ArgumentException>(() => new QdrantClientPool(options));
        Assert.Equal("options", error.ParamName);
        string[] named =
        [
            "Address has the scheme \"ftp\"", "has a path", "ApiKey (length 23, value not shown)", "CertificateThumbprint is \"abc\"",
            "pinning needs an https Address", "GrpcTimeout is", "there is no infinite setting", "HealthCheckTimeout is 00:00:00;",
            "ConnectTimeout is -00:00:01;", "KeepAlivePingDelay is 00:00:00.0100000; it must be at least 1 second",
            "KeepAlivePingTimeout is", "MaxReconnectBackoff is", "Pool is null",
        ];
        Assert.All(named, part => Assert.Contains(part, error.Message, StringComparison.Ordinal));
        Assert.DoesNotContain(Key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_password_in_the_address_never_reaches_the_message()
    {
        var options = new QdrantPoolOptions { Address = new Uri("http://user:hunter2@localhost:6334/") };
        var error = Assert.Throws<ArgumentException>(() => new QdrantConnectionFactory(options));
        Assert.Contains("carries user info", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", options.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Settings_changed_after_the_factory_was_built_do_not_reach_it()
    {
        await using var standIn = await QdrantStandIn.StartAsync();
        var options = new QdrantPoolOptions { Address = standIn.Address };
        var factory = new QdrantConnectionFactory(options);
        options.Address = new Uri("http://127.0.0.1:1");
        options.ApiKey = "changed";

        var client = await factory.CreateAsync(CancellationToken.None);
        Assert.True(await factory.ValidateAsync(client, CancellationToken.None));
        Assert.Equal(1, factory.LiveClients);
        await factory.DestroyAsync(client);
        Assert.Equal(0, factory.LiveClients);
        Assert.False(await factory.ValidateAsync(client, CancellationToken.None));
    }

    [Fact]
    public async Task Pool_settings_are_checked_by_the_pool_itself()
    {
        var error = Assert.Throws<ArgumentException>(() => new QdrantClientPool(new QdrantPoolOptions { Pool = new ConnectionPoolOptions { MaxSize = 0 } }));
        Assert.Contains("MaxSize is 0", error.Message, StringComparison.Ordinal);
        await using var pool = new QdrantClientPool(new QdrantPoolOptions { Pool = new ConnectionPoolOptions { MaxSize = 2 } });
        Assert.Equal(2, pool.Pool.MaxSize);
    }
}
