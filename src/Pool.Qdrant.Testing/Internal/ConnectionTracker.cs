using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace Pool.Qdrant.Testing.Internal;

/// <summary>
/// Kestrel connection middleware that sees every accepted connection: counts open ones and their
/// peak, refuses new ones on request, and can abort them all. It outlives server restarts.
/// </summary>
/// <remarks>
/// Kestrel finishes a connection a moment after its client closed it, so a client that closes one
/// connection and opens another can briefly look like two to Kestrel. <see cref="Peak"/> counts
/// what the client holds: at each accept, connections whose client already closed them (the
/// socket has read end-of-stream) are left out. <see cref="RawPeak"/> is Kestrel's lagging view.
/// </remarks>
internal sealed class ConnectionTracker
{
    private readonly object _lock = new();
    private readonly Dictionary<ConnectionContext, Socket?> _open = []; // guarded by _lock
    private readonly Dictionary<string, ConnectionFault> _faulted = new(StringComparer.Ordinal); // guarded by _lock; by connection id
    private readonly Dictionary<string, long> _calls = new(StringComparer.Ordinal); // guarded by _lock; calls per open connection, by connection id
    private int _peak;                                      // guarded by _lock; connections the clients held open at once
    private int _rawPeak;                                   // guarded by _lock; connections Kestrel had open at once
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

    public int RawPeak
    {
        get { lock (_lock) { return _rawPeak; } }
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
        Socket?[] open;
        lock (_lock)
        {
            open = [.. _open.Values];
            _rawPeak = open.Length;
        }

        int live = CountLive(open); // socket polls are system calls: never under the lock
        lock (_lock)
        {
            _peak = live;
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

        Socket?[] open;
        lock (_lock)
        {
            _accepted++;
            _open.Add(connection, connection.Features.Get<IConnectionSocketFeature>()?.Socket);
            _rawPeak = Math.Max(_rawPeak, _open.Count);
            open = [.. _open.Values];
        }

        int live = CountLive(open); // socket polls are system calls: never under the lock
        lock (_lock)
        {
            _peak = Math.Max(_peak, live);
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
                _faulted.Remove(connection.ConnectionId);
                _calls.Remove(connection.ConnectionId);
            }
        }
    };

    /// <summary>
    /// Gives up to <paramref name="count"/> open connections a fault, whichever the dictionary lists
    /// first among those without one; connections opened later are spared.
    /// </summary>
    /// <returns>How many connections got it.</returns>
    public int Fault(int count, ConnectionFault fault)
    {
        lock (_lock)
        {
            var chosen = _open.Keys.Where(c => !_faulted.ContainsKey(c.ConnectionId)).Take(count).ToList();
            foreach (var connection in chosen)
            {
                _faulted[connection.ConnectionId] = fault;
            }

            return chosen.Count;
        }
    }

    /// <summary>Takes every connection's fault away; calls held by a hang stay held until they end.</summary>
    public void HealAll()
    {
        lock (_lock)
        {
            _faulted.Clear();
        }
    }

    /// <summary>Connections with a fault now.</summary>
    public int Faulted
    {
        get { lock (_lock) { return _faulted.Count; } }
    }

    /// <summary>Counts a call on the connection it came on.</summary>
    public void CountCall(string connectionId)
    {
        lock (_lock)
        {
            _calls[connectionId] = _calls.GetValueOrDefault(connectionId) + 1;
        }
    }

    /// <summary>The calls each open connection has carried (connections that carried none are left out).</summary>
    public IReadOnlyList<long> CallsPerConnection()
    {
        lock (_lock)
        {
            return [.. _calls.Values];
        }
    }

    /// <summary>Forgets the counts, so the next ones start from zero.</summary>
    public void ResetCallCounts()
    {
        lock (_lock)
        {
            _calls.Clear();
        }
    }

    /// <summary>The fault of the connection a call came on, if it has one.</summary>
    public ConnectionFault? FaultOf(string connectionId)
    {
        lock (_lock)
        {
            return _faulted.GetValueOrDefault(connectionId);
        }
    }

    /// <summary>Aborts every open connection, as a crash or a network cut would.</summary>
    /// <returns>How many connections were aborted.</returns>
    public int AbortAll() => Abort(int.MaxValue);

    /// <summary>Aborts up to <paramref name="count"/> connections, whichever the dictionary lists first.</summary>
    /// <returns>How many connections were aborted.</returns>
    public int Abort(int count)
    {
        ConnectionContext[] open;
        lock (_lock)
        {
            open = [.. _open.Keys.Take(count)];
        }

        foreach (var connection in open)
        {
            connection.Abort(new ConnectionAbortedException("Killed by the stand-in's test."));
        }

        return open.Length;
    }

    /// <summary>
    /// Whether the client has closed the connection: the socket is readable with nothing to read
    /// (end-of-stream or reset). Peeks at the kernel's state; consumes nothing Kestrel would read.
    /// </summary>
    private static int CountLive(Socket?[] sockets) => sockets.Count(s => !ClientClosed(s));

    private static bool ClientClosed(Socket? socket)
    {
        if (socket is null)
        {
            return false; // No socket to ask (another transport): count it as open.
        }

        try
        {
            return socket.Poll(0, SelectMode.SelectRead) && socket.Available == 0;
        }
        catch (Exception e) when (e is ObjectDisposedException or SocketException)
        {
            return true;
        }
    }
}
