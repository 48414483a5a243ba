using Microsoft.AspNetCore.Connections;

namespace Pool.Qdrant.Testing.Internal;

/// <summary>
/// Kestrel connection middleware that sees every accepted connection: counts open ones and their
/// peak, refuses new ones on request, and can abort them all. It outlives server restarts.
/// </summary>
internal sealed class ConnectionTracker
{
    private readonly object _lock = new();
    private readonly HashSet<ConnectionContext> _open = [];  // guarded by _lock
    private int _peak;                                      // guarded by _lock
    private long _accepted;                                 // guarded by _lock
    private long _refused;                                  // guarded by _lock

    public ConnectionTracker(QdrantStandInFaults faults) => Faults = faults;

    private QdrantStandInFaults Faults { get; }

    public int Open
    {
        get { lock (_lock) { return _open.Count; } }
    }

    public int Peak
    {
        get { lock (_lock) { return _peak; } }
    }

    public long Accepted
    {
        get { lock (_lock) { return _accepted; } }
    }

    public long Refused
    {
        get { lock (_lock) { return _refused; } }
    }

    /// <summary>Starts a new peak from the connections open now.</summary>
    public void ResetPeak()
    {
        lock (_lock)
        {
            _peak = _open.Count;
        }
    }

    public ConnectionDelegate Middleware(ConnectionDelegate next) => async connection =>
    {
        if (Faults.RefuseConnections)
        {
            lock (_lock)
            {
                _refused++;
            }

            connection.Abort(new ConnectionAbortedException("The stand-in refuses new connections."));
            return;
        }

        lock (_lock)
        {
            _accepted++;
            _open.Add(connection);
            _peak = Math.Max(_peak, _open.Count);
        }

        try
        {
            await next(connection).ConfigureAwait(false);
        }
        finally
        {
            lock (_lock)
            {
                _open.Remove(connection);
            }
        }
    };

    /// <summary>Aborts every open connection, as a crash or a network cut would.</summary>
    /// <returns>How many connections were aborted.</returns>
    public int AbortAll()
    {
        ConnectionContext[] open;
        lock (_lock)
        {
            open = [.. _open];
        }

        foreach (var connection in open)
        {
            connection.Abort(new ConnectionAbortedException("Killed by the stand-in's test."));
        }

        return open.Length;
    }
}
