namespace Pool.Tests.Kit;

/// <summary>
/// The one connection type of every test project: an identity and how often a factory destroyed it.
/// The factories keep the rest of the ground truth (what is open, leased, in flight).
/// </summary>
public sealed class TestConnection(int id)
{
    private int _destroyCount;

    public int Id { get; } = id;

    public int DestroyCount => Volatile.Read(ref _destroyCount);

    public int MarkDestroyed() => Interlocked.Increment(ref _destroyCount);

    public override string ToString() => $"conn#{Id}";
}
