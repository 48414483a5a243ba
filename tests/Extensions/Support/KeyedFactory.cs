using Microsoft.Extensions.DependencyInjection;
using Pool.Tests.Unit.Support;

namespace Pool.Tests.Extensions.Support;

/// <summary>A factory the container builds: it takes a service and learns its pool's name from the service key.</summary>
public sealed class KeyedFactory(FakeFactory inner, [ServiceKey] string poolName) : IConnectionFactory<FakeConnection>
{
    public string PoolName { get; } = poolName;

    public FakeFactory Inner { get; } = inner;

    public ValueTask<FakeConnection> CreateAsync(CancellationToken cancellationToken) => Inner.CreateAsync(cancellationToken);

    public ValueTask<bool> ValidateAsync(FakeConnection connection, CancellationToken cancellationToken) => Inner.ValidateAsync(connection, cancellationToken);

    public ValueTask DestroyAsync(FakeConnection connection) => Inner.DestroyAsync(connection);
}
