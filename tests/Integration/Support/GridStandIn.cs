namespace Pool.Tests.Integration.Support;

/// <summary>
/// The load tests' set-up in one place: a stand-in started, a pool on it, the <see cref="GridCollection"/>
/// created, and the stand-in's peak of open connections reset, so the peak a test asserts on counts its
/// own load only, not the set-up's connections.
/// </summary>
internal sealed class GridStandIn : IAsyncDisposable
{
    private GridStandIn(QdrantStandIn standIn, QdrantClientPool pool)
    {
        StandIn = standIn;
        Pool = pool;
    }

    public QdrantStandIn StandIn { get; }

    public QdrantClientPool Pool { get; }

    /// <summary>Starts the stand-in, makes the pool with <paramref name="pool"/> and fills the grid with <paramref name="points"/> points.</summary>
    public static async Task<GridStandIn> StartAsync(Func<QdrantStandIn, QdrantClientPool> pool, int points)
    {
        var standIn = await QdrantStandIn.StartAsync();
        QdrantClientPool? made = null;
        try
        {
            made = pool(standIn);
            await GridCollection.CreateAsync(made, points);
            standIn.ResetPeakOpenConnections();
            return new GridStandIn(standIn, made);
        }
        catch
        {
            if (made is not null)
            {
                await made.DisposeAsync();
            }

            await standIn.DisposeAsync();
            throw;
        }
    }

    /// <summary>Disposes the pool first, then the stand-in it is connected to.</summary>
    public async ValueTask DisposeAsync()
    {
        await Pool.DisposeAsync();
        await StandIn.DisposeAsync();
    }

    public void Deconstruct(out QdrantStandIn standIn, out QdrantClientPool pool) => (standIn, pool) = (StandIn, Pool);
}
