namespace Pool.Tests.Extensions.Support;

/// <summary>A factory the container builds: it takes a service and learns its pool's name from the service key.</summary>
public sealed class KeyedFactory(FakeFactory inner, [ServiceKey] string poolName) : IConnectionFactory<TestConnection>
{
    public string PoolName { get; } = poolName;

    public FakeFactory Inner { get; } = inner;

    public ValueTask<TestConnection> CreateAsync(CancellationToken cancellationToken) => Inner.CreateAsync(cancellationToken);

    public ValueTask<bool> ValidateAsync(TestConnection connection, CancellationToken cancellationToken) => Inner.ValidateAsync(connection, cancellationToken);

    public ValueTask DestroyAsync(TestConnection connection) => Inner.DestroyAsync(connection);
}
