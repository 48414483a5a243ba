using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace Pool.Tests.Kit;

/// <summary>
/// For tests against real sockets and servers: drives a <see cref="FakeTimeProvider"/> from real time at an adjustable speed: 1 keeps the fake
/// clock in step with the real one, 30 runs it thirty times faster, 0 stops it. The pool's timers
/// (backoff, fast-fail probes, acquire and create deadlines) run on the fake clock; sockets, gRPC
/// deadlines and the stand-in run in real time.
/// </summary>
public sealed class TimePump : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private double _speed;

    public TimePump(FakeTimeProvider time, double speed)
    {
        Time = time;
        _speed = speed;
        _loop = Task.Run(async () =>
        {
            var real = Stopwatch.StartNew();
            var last = real.Elapsed;
            while (!_stop.IsCancellationRequested)
            {
                await Task.Delay(1); // The pump's tick, not a synchronisation.
                var now = real.Elapsed;
                var step = (now - last) * Volatile.Read(ref _speed);
                last = now;
                if (step > TimeSpan.Zero)
                {
                    Time.Advance(step);
                }
            }
        });
    }

    public FakeTimeProvider Time { get; }

    /// <summary>Fake seconds per real second from now on.</summary>
    public double Speed
    {
        get => Volatile.Read(ref _speed);
        set => Volatile.Write(ref _speed, value);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
