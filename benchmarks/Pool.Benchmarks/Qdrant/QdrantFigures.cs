namespace Pool.Benchmarks.Qdrant;

/// <summary>One client's figures under the 64-caller load.</summary>
internal sealed record LoadFigures(string Client, double CallsPerSecond, double P50Ms, double P99Ms, int ServerConnections);

/// <summary>One client's figures while one of its connections is black-holed.</summary>
internal sealed record BlackHoleFigures(string Client, long Succeeded, long Failed, double SuccessShare, long ChannelsReplaced, double? ReplacedAfterSeconds);

/// <summary>The pooled client's figures while Qdrant answers errors on a share of calls.</summary>
internal sealed record ServerErrorFigures(long Calls, long Answered, long ChannelsEvicted, long Reconnects);

/// <summary>How long after Qdrant was back each client served a call again (null: not within the wait).</summary>
internal sealed record OutageFigures(TimeSpan Outage, TimeSpan Wait, double? SingletonSeconds, double? PooledSeconds);

/// <summary>Everything the Qdrant measurement found, in one run.</summary>
internal sealed record QdrantFigures(
    int Callers,
    TimeSpan CallLatency,
    TimeSpan LoadDuration,
    IReadOnlyList<LoadFigures> Load,
    IReadOnlyList<long> CallsPerChannel,
    IReadOnlyList<BlackHoleFigures> BlackHole,
    TimeSpan BlackHoleDuration,
    TimeSpan CallDeadline,
    ServerErrorFigures ServerErrors,
    TimeSpan ServerErrorDuration,
    OutageFigures Outage);
