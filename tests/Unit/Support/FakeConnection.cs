namespace Pool.Tests.Unit.Support;

public sealed class FakeConnection(int id)
{
    private int _destroyCount;

    public int Id { get; } = id;

    public int DestroyCount => Volatile.Read(ref _destroyCount);

    internal int MarkDestroyed() => Interlocked.Increment(ref _destroyCount);

    public override string ToString() => $"conn#{Id}";
}
