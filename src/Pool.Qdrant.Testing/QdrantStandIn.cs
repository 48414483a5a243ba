using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pool.Qdrant.Testing.Internal;

namespace Pool.Qdrant.Testing;

/// <summary>
/// An in-process Qdrant gRPC server for tests: Kestrel on 127.0.0.1 serving Qdrant's real method
/// paths with in-memory collections and exact brute-force search, plus switchable faults
/// (<see cref="Faults"/>), restarts on the same port, and counts of connections and calls.
/// Collections, faults and counters survive <see cref="StopAsync"/> and <see cref="StartAsync(CancellationToken)"/>.
/// </summary>
public sealed class QdrantStandIn : IAsyncDisposable
{
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(2);

    private readonly QdrantStandInOptions _options;
    private readonly StandInState _state;
    private readonly X509Certificate2? _certificate;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private WebApplication? _app; // written under _lifecycle; IsRunning reads it without
    private int _port;

    private QdrantStandIn(QdrantStandInOptions options)
    {
        _options = options;
        _state = new StandInState(options.Version);
        _port = options.Port;
        if (options.UseTls)
        {
            _certificate = SelfSignedCertificate.Create();
            CertificateThumbprint = _certificate.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256);
        }
    }

    /// <summary>Where clients connect: http(s)://127.0.0.1:<see cref="Port"/>.</summary>
    public Uri Address => new(string.Create(CultureInfo.InvariantCulture, $"{(_options.UseTls ? "https" : "http")}://127.0.0.1:{_port}"));

    /// <summary>The port, chosen at the first start when the options asked for 0, and kept across restarts.</summary>
    public int Port => _port;

    /// <summary>The SHA-256 thumbprint (upper-case hex) of the self-signed certificate, or null without TLS.</summary>
    public string? CertificateThumbprint { get; }

    /// <summary>Whether the server is listening: true from a start until a stop has closed the port.</summary>
    public bool IsRunning => Volatile.Read(ref _app) is not null;

    /// <summary>The faults to inject; switch them at any time.</summary>
    public QdrantStandInFaults Faults => _state.Faults;

    /// <summary>Connections open now (each is one HTTP/2 connection).</summary>
    public int OpenConnections => _state.Tracker.Open;

    /// <summary>
    /// The most connections clients held open at once since start or <see cref="ResetPeakOpenConnections"/>.
    /// A connection its client has closed is not counted, even while Kestrel is still finishing it.
    /// </summary>
    public int PeakOpenConnections => _state.Tracker.Peak;

    /// <summary>
    /// The most connections Kestrel had open at once, including those whose client had already
    /// closed them: a lagging view, at least <see cref="PeakOpenConnections"/>.
    /// </summary>
    public int PeakTrackedConnections => _state.Tracker.RawPeak;

    /// <summary>Connections accepted since start (refused ones not counted).</summary>
    public long AcceptedConnections => _state.Tracker.Accepted;

    /// <summary>Connections refused while <see cref="QdrantStandInFaults.RefuseConnections"/> was on.</summary>
    public long RefusedConnections => _state.Tracker.Refused;

    /// <summary>Calls being answered now (including those held by latency or a hang).</summary>
    public int CallsInFlight => _state.InFlight;

    /// <summary>The most calls answered at once since start or <see cref="ResetPeakCallsInFlight"/>.</summary>
    public int PeakCallsInFlight => _state.PeakInFlight;

    /// <summary>Calls received per method, keyed like "qdrant.Points/Query".</summary>
    public IReadOnlyDictionary<string, long> CallCounts => _state.Calls;

    /// <summary>Starts a stand-in.</summary>
    /// <param name="options">How it listens; default h2c on an ephemeral port.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running stand-in.</returns>
    public static async Task<QdrantStandIn> StartAsync(QdrantStandInOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new QdrantStandInOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(options.Port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Port, IPEndPoint.MaxPort);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxStreamsPerConnection, 1);
        var standIn = new QdrantStandIn(options);
        await standIn.StartAsync(cancellationToken).ConfigureAwait(false);
        return standIn;
    }

    /// <summary>Calls received by one method.</summary>
    /// <param name="method">Like "qdrant.Points/Query" or "qdrant.Qdrant/HealthCheck".</param>
    /// <returns>The count.</returns>
    public long CallCount(string method) => _state.CallCount(method);

    /// <summary>
    /// The calls (health checks included) each open connection has carried since it opened or since
    /// <see cref="ResetCallsPerConnection"/>, in no particular order; connections that carried none are left
    /// out. Shows how a client spreads its calls over its connections.
    /// </summary>
    /// <returns>One count per connection.</returns>
    public IReadOnlyList<long> CallsPerConnection() => _state.Tracker.CallsPerConnection();

    /// <summary>Starts every connection's count of <see cref="CallsPerConnection"/> from zero.</summary>
    public void ResetCallsPerConnection() => _state.Tracker.ResetCallCounts();

    /// <summary>Starts a new peak from the connections open now.</summary>
    public void ResetPeakOpenConnections() => _state.Tracker.ResetPeak();

    /// <summary>Starts a new peak of calls in flight from the calls in flight now.</summary>
    public void ResetPeakCallsInFlight() => _state.ResetPeakInFlight();

    /// <summary>Aborts every open connection (the server keeps listening), as a network cut would.</summary>
    /// <returns>How many connections were aborted.</returns>
    public int KillConnections() => _state.Tracker.AbortAll();

    /// <summary>Aborts up to <paramref name="count"/> of the open connections (which ones is unspecified), as a cut of some of them would; the others carry on.</summary>
    /// <param name="count">At most this many; 0 or more.</param>
    /// <returns>How many connections were aborted.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    public int KillConnections(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return _state.Tracker.Abort(count);
    }

    /// <summary>
    /// Black-holes up to <paramref name="count"/> of the open connections (which ones is unspecified,
    /// skipping those already faulted): every call on them, health checks included, hangs until its
    /// deadline passes, it is cancelled, or the connection dies, while calls on other connections are
    /// answered. Kestrel still answers the connection's HTTP/2 pings, so a client's keep-alive does not
    /// notice; only its deadlines do. Connections opened later are spared.
    /// </summary>
    /// <param name="count">At most this many; 0 or more.</param>
    /// <returns>How many connections were black-holed.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    public int HangConnections(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return _state.Tracker.Fault(count, new ConnectionFault(TimeSpan.Zero, Hang: true));
    }

    /// <summary>
    /// Slows up to <paramref name="count"/> of the open connections (which ones is unspecified,
    /// skipping those already faulted): every call on them, health checks included, waits
    /// <paramref name="latency"/> before it is answered, while calls on other connections are not held.
    /// Connections opened later are spared.
    /// </summary>
    /// <param name="count">At most this many; 0 or more.</param>
    /// <param name="latency">Added to each call; greater than zero.</param>
    /// <returns>How many connections were slowed.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative, or <paramref name="latency"/> is not positive.</exception>
    public int SlowConnections(int count, TimeSpan latency)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(latency, TimeSpan.Zero);
        return _state.Tracker.Fault(count, new ConnectionFault(latency, Hang: false));
    }

    /// <summary>Takes the faults of <see cref="HangConnections"/> and <see cref="SlowConnections"/> away: later calls are answered normally (calls already held stay held until they end).</summary>
    public void HealConnections() => _state.Tracker.HealAll();

    /// <summary>Open connections black-holed or slowed now.</summary>
    public int FaultedConnections => _state.Tracker.Faulted;

    /// <summary>The headers of the last call to a method, as the server received them (names in lower case), so a test can see what a client sent.</summary>
    /// <param name="method">Like "qdrant.Points/Query".</param>
    /// <returns>The headers; empty if the method was never called.</returns>
    public IReadOnlyDictionary<string, string> LastRequestHeaders(string method) => _state.LastRequestHeaders(method);

    /// <summary>Starts listening again, on the same port; does nothing if running.</summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>A task that completes when the server listens.</returns>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_app is not null)
            {
                return;
            }

            var app = Build();
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            if (_port == 0)
            {
                _port = new Uri(app.Urls.First()).Port;
            }

            Volatile.Write(ref _app, app);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Stops like a crashed server: open connections are aborted and the port closes. Does nothing if stopped.</summary>
    /// <returns>A task that completes when the server no longer listens.</returns>
    public async Task StopAsync()
    {
        await _lifecycle.WaitAsync().ConfigureAwait(false);
        try
        {
            var app = _app;
            if (app is null)
            {
                return;
            }

            _state.Tracker.AbortAll();
            await app.StopAsync().ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);

            // Only now: IsRunning turns false once the port is really closed.
            Volatile.Write(ref _app, null);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>
    /// An outage: stops, and starts again on the same port once <paramref name="duration"/> has
    /// passed since the call (on <paramref name="timeProvider"/>'s clock).
    /// </summary>
    /// <param name="duration">How long the server is down.</param>
    /// <param name="timeProvider">The clock of the wait; default <see cref="TimeProvider.System"/>.</param>
    /// <param name="cancellationToken">Ends the wait early; the server is started again either way.</param>
    /// <returns>A task that completes when the server listens again.</returns>
    public async Task OutageAsync(TimeSpan duration, TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        // The clock starts before the stop, in this call: a test with a fake clock can advance it
        // as soon as this returns, and the outage lasts `duration` from the call, stop included.
        var over = Task.Delay(duration, timeProvider ?? TimeProvider.System, cancellationToken);
        await StopAsync().ConfigureAwait(false);
        try
        {
            await over.ConfigureAwait(false);
        }
        finally
        {
            await StartAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Stops the server for good.</summary>
    /// <returns>A task that completes when it is stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _lifecycle.Dispose();
        _certificate?.Dispose();
    }

    private WebApplication Build()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(_state);
        builder.Services.AddSingleton<StandInService>();
        builder.Services.AddSingleton<Grpc.AspNetCore.Server.Model.IServiceMethodProvider<StandInService>, StandInMethodProvider>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.Http2.MaxStreamsPerConnection = _options.MaxStreamsPerConnection;
            kestrel.Listen(IPAddress.Loopback, _port, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;

                // Outermost, so it sees every connection, including TLS handshakes that fail.
                listen.Use(_state.Tracker.Middleware);
                if (_certificate is not null)
                {
                    listen.UseHttps(_certificate);
                }
            });
        });

        var app = builder.Build();
        app.MapGrpcService<StandInService>();
        return app;
    }
}
