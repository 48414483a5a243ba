using System.Text;

namespace Pool.Tests.Properties.State;

/// <summary>
/// Runs a generated script of operations directly on a <see cref="PoolState{TConnection}"/> (no pool,
/// factory, timers or tasks) and plays the shell's part by hand: it completes the waiters each
/// operation decided, starts the creates and destroys it reserved as "in flight", and later finishes
/// them as the script says. After every step it checks the shared invariants and a few facts of its
/// own bookkeeping: Total ≤ Ceiling, conservation, waiters granted strictly oldest first, and every
/// in-flight count equal to what the driver holds.
/// </summary>
internal sealed class StateDriver
{
    private const int Ops = 16;
    private const long IdleTimeout = 50;

    private readonly PoolState<string> _state;
    private readonly List<PooledConnection<string>> _leases = [];
    private readonly List<Waiter<string>> _queue = [];                     // oldest first, as the driver saw them enqueued
    private readonly List<(CreateAttempt Attempt, long Generation)> _creates = [];
    private readonly List<(bool Late, ConnectionEntry<string> Entry)> _destroys = []; // in flight; Late: a late connection's (no slot)
    private readonly StringBuilder _trace = new();
    private PendingWork<string> _work;
    private long _now = 1_000;
    private int _connections;

    public StateDriver(byte config)
    {
        var options = new ConnectionPoolOptions
        {
            MaxSize = 1 + (config % 4),
            MaxConcurrentCreates = 1 + (config / 4 % 3),
            FailFastAfter = config / 12 % 4,
            LeakDetectionThreshold = TimeSpan.FromSeconds(1),
        };
        _state = new PoolState<string>(owner: null, options, IdleTimeout, leakThresholdTicks: 100);
        _trace.Append($"MaxSize={options.MaxSize} MaxConcurrentCreates={options.MaxConcurrentCreates} FailFastAfter={options.FailFastAfter}\n");
    }

    /// <summary>Runs the script; null if every step kept every check, otherwise the trace and what broke.</summary>
    public string? Run(int[] script)
    {
        try
        {
            Step("start", (ref PendingWork<string> w) => _state.Start(ref w), target: null);
            foreach (int code in script)
            {
                uint op = (uint)code % Ops;
                int arg = (int)((uint)code / Ops % 64);
                Apply(op, arg);
            }

            return null;
        }
        catch (Exception ex) when (ex is StateCheckFailed or PoolInvariantException)
        {
            return $"{_trace}=> {ex.Message}";
        }
    }

    private delegate void Operation(ref PendingWork<string> work);

    private void Apply(uint op, int arg)
    {
        switch (op)
        {
            case 0 or 1:
                Reserve(op == 0 ? TimeSpan.FromSeconds(1) : null);
                break;
            case 2 when _leases.Count > 0:
                ReturnLease(_leases[arg % _leases.Count], invalidate: arg % 3 == 0);
                break;
            case 3 when _creates.Count > 0:
                FinishCreate(arg % _creates.Count, arg % 4 == 0 ? _now + 20 : long.MaxValue);
                break;
            case 4 when _creates.Count > 0:
                FailCreate(arg % _creates.Count);
                break;
            case 5 when _creates.Count > 0:
                var (attempt, _) = _creates[arg % _creates.Count];
                Step($"create timed out #{arg % _creates.Count}", (ref PendingWork<string> w) => _state.CreateTimedOut(attempt, new TimeoutException("slow"), ref w), target: null);
                break;
            case 6 when _destroys.Count > 0:
                var (late, destroyed) = _destroys[arg % _destroys.Count];
                _destroys.RemoveAt(arg % _destroys.Count);
                Step($"destroy finished (late={late}, abandoned={destroyed.DestroyAbandoned})", (ref PendingWork<string> w) => _state.DestroyFinished(destroyed, late, failed: arg % 2 == 0, ref w), target: null);
                break;
            case 7 when _queue.Count > 0:
                var cancelled = _queue[arg % _queue.Count];
                Step($"waiter {_queue.IndexOf(cancelled)} cancelled", (ref PendingWork<string> w) => _state.WaiterCancelled(cancelled, new CancellationToken(true), ref w), cancelled);
                break;
            case 8 when _queue.Count > 0:
                var timedOut = _queue[arg % _queue.Count];
                Step($"waiter {_queue.IndexOf(timedOut)} timed out", (ref PendingWork<string> w) => _state.WaiterTimedOut(timedOut, ref w, out _), timedOut);
                Check(!timedOut.IsQueued, "a timed-out waiter is still queued");
                _queue.Remove(timedOut);
                break;
            case 9:
                Step("clear", (ref PendingWork<string> w) => _state.Clear(ref w), target: null);
                break;
            case 10:
                SetMaxSize(1 + (arg % 4));
                break;
            case 11 when !_state.Snapshot().IsDisposed:
                int min = arg % (_state.MaxSize + 1);
                Step($"min size {min}", (ref PendingWork<string> w) => _state.SetMinSize(min, ref w), target: null);
                break;
            case 12:
                List<(long, System.Diagnostics.StackTrace?)>? leaks = null;
                Step("maintain", (ref PendingWork<string> w) => _state.Maintain(_now, ref w, ref leaks), target: null);
                break;
            case 13:
                _now += 1 + arg;
                _trace.Append($"time +{1 + arg}\n");
                break;
            case 14 when arg % 4 == 0:
                Step("dispose", (ref PendingWork<string> w) => _state.Dispose(ref w, out _), target: null);
                break;
            case 15 when _destroys.Exists(d => !d.Late):
                // Only a destroy that holds a slot has a deadline: the shell arms none for a late connection's.
                var slotted = _destroys.FindAll(d => !d.Late);
                var hung = slotted[arg % slotted.Count].Entry;
                Step($"destroy of {hung.Connection} timed out", (ref PendingWork<string> w) => _state.DestroyTimedOut(hung, ref w), target: null);
                break;
        }
    }

    private void Reserve(TimeSpan? wait)
    {
        Step(wait is null ? "try acquire" : "acquire", (ref PendingWork<string> w) => Track(_state.Reserve(_now, wait, ref w), wait), target: null);
    }

    /// <summary>Records what an acquire got before the step's checks run.</summary>
    private void Track(in Reservation<string> reservation, TimeSpan? wait)
    {
        if (reservation.Lease.Entry is { } entry)
        {
            Check(!_leases.Exists(l => ReferenceEquals(l.Entry, entry)), "one connection is held by two leases");
            _leases.Add(reservation.Lease);
        }

        if (reservation.Waiter is { } waiter)
        {
            Check(wait is not null, "an acquire that must not wait was queued");
            _queue.Add(waiter);
        }
    }

    private void ReturnLease(PooledConnection<string> lease, bool invalidate)
    {
        _leases.Remove(lease);
        if (invalidate)
        {
            lease.Invalidate();
        }

        Check(lease.Entry!.TryEndLease(lease.LeaseId, out bool invalidated), "a lease could not end");
        Check(!lease.Entry.TryEndLease(lease.LeaseId, out _), "a lease ended twice");
        Step($"return (invalidated={invalidated})", (ref PendingWork<string> w) => _state.Return(lease.Entry, lease.LeaseId, invalidated, null, _now, ref w), target: null);
    }

    private void FinishCreate(int index, long expiresAt)
    {
        var (attempt, generation) = _creates[index];
        _creates.RemoveAt(index);
        Step($"create #{index} succeeded", (ref PendingWork<string> w) =>
        {
            var late = _state.CreateSucceeded(attempt, $"c{++_connections}", _now, expiresAt, generation, ref w);
            Check(late is null == !attempt.Abandoned, "a late connection was not handed back, or a kept one was");
            if (late is not null)
            {
                _destroys.Add((true, late)); // the shell destroys it without a slot
            }
        }, target: null);

        attempt.Dispose();
    }

    private void FailCreate(int index)
    {
        var (attempt, _) = _creates[index];
        _creates.RemoveAt(index);
        Step($"create #{index} failed", (ref PendingWork<string> w) => _state.CreateFailed(attempt, new IOException("refused"), ref w), target: null);
        attempt.Dispose();
    }

    private void SetMaxSize(int max)
    {
        var before = _state.Snapshot();
        if (max < before.MinSize)
        {
            _trace.Append($"max size {max} (refused)\n");
            Check(Throws(() => _state.SetMaxSize(max, ref _work)), "a MaxSize below MinSize was accepted");
            Check(_state.Snapshot() == before, "a refused SetMaxSize changed the state");
            return;
        }

        Step($"max size {max}", (ref PendingWork<string> w) => _state.SetMaxSize(max, ref w), target: null);
    }

    /// <summary>One operation, then the shell's part of it, then every check.</summary>
    private void Step(string what, Operation operation, Waiter<string>? target)
    {
        _trace.Append(what).Append('\n');
        _work = default;
        operation(ref _work);
        _work.DeliverWaiters();

        // Waiters the operation decided, other than the one it targeted, must be the oldest queued.
        int decided = 0;
        for (int i = 0; i < _queue.Count; i++)
        {
            var waiter = _queue[i];
            if (waiter.IsQueued)
            {
                continue;
            }

            Check(ReferenceEquals(waiter, target) || i == decided, $"waiter {i} was decided before an older one (FIFO)");
            if (!ReferenceEquals(waiter, target))
            {
                decided++;
            }
        }

        foreach (var waiter in _queue.FindAll(w => !w.IsQueued))
        {
            Check(waiter.Task.IsCompleted || ReferenceEquals(waiter, target), "a decided waiter was not completed after the lock");
            if (waiter.Task.IsCompletedSuccessfully)
            {
                _leases.Add(waiter.Task.Result);
            }

            _queue.Remove(waiter);
        }

        for (int i = 0; i < _work.CreatesToStart; i++)
        {
            _creates.Add((new CreateAttempt(CancellationToken.None), _work.CreateGeneration));
        }

        for (int i = 0; i < _work.DestroyCount; i++)
        {
            _destroys.Add((false, _work.DestroyAt(i)));
        }

        CheckFacts();
    }

    private void CheckFacts()
    {
        var s = _state.Snapshot();
        Check(s.FindInvariantViolation() is not { } violation, s.FindInvariantViolation() ?? string.Empty);
        Check(s.Total <= s.Ceiling, $"Total {s.Total} exceeds the ceiling {s.Ceiling}");
        Check(s.Created - s.Destroyed == s.Idle + s.InUse + s.Destroying, "conservation: live connections are not all accounted for");
        Check(s.InUse == _leases.Count, $"InUse {s.InUse} but the driver holds {_leases.Count} leases");
        Check(s.Waiters == _queue.Count, $"Waiters {s.Waiters} but the driver queued {_queue.Count}");
        int abandoned = _creates.Count(c => c.Attempt.Abandoned);
        Check(s.Creating == _creates.Count - abandoned, $"Creating {s.Creating} but {_creates.Count - abandoned} creates hold a slot");
        int slotDestroys = _destroys.Count(d => !d.Late && !d.Entry.DestroyAbandoned);
        Check(s.Destroying == slotDestroys, $"Destroying {s.Destroying} but {slotDestroys} destroys hold a slot");
        Check(s.AbandonedCreates == abandoned, $"AbandonedCreates {s.AbandonedCreates} but {abandoned} abandoned creates still run");
        Check(
            s.Abandoned == abandoned + _destroys.Count - slotDestroys,
            $"Abandoned {s.Abandoned} is not the abandoned creates plus the late and abandoned destroys");
        Check(
            _creates.Count <= s.MaxConcurrentCreates,
            $"{_creates.Count} create calls are in flight (abandoned ones included), more than MaxConcurrentCreates {s.MaxConcurrentCreates}");
        Check(
            s.Total + s.Abandoned <= s.Ceiling + s.MaxConcurrentCreates,
            $"the backend may hold {s.Total + s.Abandoned} connections, more than the ceiling {s.Ceiling} + MaxConcurrentCreates {s.MaxConcurrentCreates}");
        Check(!s.IsDisposed || _work.CreatesToStart == 0, "a disposed pool reserved a create");
        _trace.Append($"  -> idle {s.Idle}, in use {s.InUse}, creating {s.Creating}, destroying {s.Destroying}, waiters {s.Waiters}, ceiling {s.Ceiling}\n");
    }

    private static bool Throws(Action action)
    {
        try
        {
            action();
            return false;
        }
        catch (ArgumentOutOfRangeException)
        {
            return true;
        }
    }

    private static void Check(bool condition, string what)
    {
        if (!condition)
        {
            throw new StateCheckFailed(what);
        }
    }

    private sealed class StateCheckFailed(string message) : Exception(message);
}
