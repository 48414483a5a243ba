namespace Pool.Demo;

/// <summary>A stand-in backend: connects in a few milliseconds, refuses now and then, counts what is alive.</summary>
internal sealed class FlakyFactory(double failureRate, int seed) : IConnectionFactory<FlakyFactory.Connection>
{
    private readonly Random _random = new(seed);
    private readonly object _gate = new();
    private int _nextId;
    private int _live;

    public int Live => Volatile.Read(ref _live);

    public int PeakLive { get; private set; }

    public int DoubleDestroys { get; private set; }

    public async ValueTask<Connection> CreateAsync(CancellationToken cancellationToken)
    {
        bool fail;
        int delay;
        lock (_gate)
        {
            fail = _random.NextDouble() < failureRate;
            delay = _random.Next(2, 15);
        }

        await Task.Delay(delay, cancellationToken);
        if (fail)
        {
            throw new IOException("connection refused (simulated)");
        }

        lock (_gate)
        {
            _live++;
            PeakLive = Math.Max(PeakLive, _live);
            return new Connection(++_nextId);
        }
    }

    public ValueTask<bool> ValidateAsync(Connection connection, CancellationToken cancellationToken) => new(!connection.Destroyed);

    public ValueTask DestroyAsync(Connection connection)
    {
        lock (_gate)
        {
            if (connection.Destroyed)
            {
                DoubleDestroys++;
            }

            connection.Destroyed = true;
            _live--;
        }

        return default;
    }

    internal sealed class Connection(int id)
    {
        public int Id { get; } = id;

        public bool Destroyed { get; set; }
    }
}
