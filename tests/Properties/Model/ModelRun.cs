using System.Text;

namespace Pool.Tests.Properties.Model;

/// <summary>The result of one generated sequence: the operations that ran and, if it failed, why.</summary>
internal sealed record ModelRunResult(bool Passed, ModelConfig Config, IReadOnlyList<Op> Ops, string Failure, string Report)
{
    public override string ToString() => Report;
}

/// <summary>
/// Turns a list of generated numbers into operations that are valid in the model's current state
/// (so shrinking the numbers always yields a valid, shorter sequence), runs each operation on the
/// model and on the pool under test in lockstep, and compares them after every step.
/// </summary>
internal static class ModelRun
{
    public const int MaxOps = 40;

    public static ModelRunResult Run(
        uint configSeed, uint[] choices, Func<ModelConfig, LockstepDriver> create, bool restricted, ModelFeatures canaryFeatures = ModelFeatures.None)
    {
        var config = ModelConfig.From(configSeed, restricted, canaryFeatures);
        var model = new PoolModel(config);
        var pool = create(config);
        var ops = new List<Op>();
        var log = new StringBuilder();
        log.AppendLine($"Config: {config}");
        string? failure = Compare(model, pool, !restricted, null);
        if (failure is null)
        {
            foreach (uint c in choices.Take(MaxOps))
            {
                var op = Interpret(c, model, config, restricted);
                ops.Add(op);
                bool checkerLeft = model.OldestCheckLeft;
                bool? expectedOk = Apply(op, model);
                bool? actualOk;
                try
                {
                    actualOk = Apply(op, pool, model, checkerLeft);
                }
                catch (Exception ex)
                {
                    log.AppendLine($"  {ops.Count,2}. {op,-40} threw");
                    failure = $"{op} threw {ex.GetType().Name}: {ex.Message}";
                    break;
                }

                failure = expectedOk != actualOk ? $"{op} returned {actualOk}, the model says {expectedOk}" : Compare(model, pool, !restricted, op);
                log.AppendLine($"  {ops.Count,2}. {op,-40} model: {Describe(model)}");
                if (failure is not null)
                {
                    break;
                }
            }
        }

        if (failure is null && !restricted)
        {
            // Teardown: dispose, answer every held check and stuck create, give every lease back; nothing may leak.
            var teardown = new List<Op> { new(OpKind.Dispose) };
            teardown.AddRange(Enumerable.Repeat(new Op(OpKind.AnswerCheck), model.HeldChecks));
            teardown.AddRange(Enumerable.Repeat(new Op(OpKind.ReleaseCreate), model.StuckCalls));
            teardown.AddRange(model.Acquires.Where(a => a.Active).Select(a => new Op(OpKind.Return, a.Index)).ToList());
            foreach (var op in teardown)
            {
                bool checkerLeft = model.OldestCheckLeft;
                Apply(op, model);
                Apply(op, pool, model, checkerLeft);
                failure = Compare(model, pool, true, op);
                if (failure is not null)
                {
                    ops.Add(op);
                    log.AppendLine($"  {ops.Count,2}. {op,-40} (teardown) model: {Describe(model)}");
                    break;
                }
            }

            var end = pool.Statistics();
            if (failure is null && (end.Total != 0 || pool.Factory.Live != 0 || !pool.DisposeCompleted || pool.LiveTimers != 0))
            {
                failure = $"Leak after dispose: Total={end.Total}, factory live={pool.Factory.Live}, dispose completed={pool.DisposeCompleted}, timers still armed={pool.LiveTimers}";
            }
        }

        if (failure is not null)
        {
            log.AppendLine($"FAILED after {ops.Count} operations: {failure}");
        }

        return new ModelRunResult(failure is null, config, ops, failure ?? string.Empty, log.ToString());
    }

    private static string Describe(PoolModel m) =>
        $"idle={m.Idle} inUse={m.InUse} creating={m.Statistics.Creating} waiters={m.Waiters} t={m.Now / TimeSpan.TicksPerMillisecond}ms"
        + (m.MaxLeases > 1 ? $" leases={m.Statistics.Leases} busiest={m.Statistics.BusiestConnectionLeases}" : string.Empty)
        + (m.HeldChecks > 0 ? $" checks={m.HeldChecks}" : string.Empty) + (m.StuckCalls > 0 ? $" stuck={m.StuckCalls}" : string.Empty)
        + (m.Unavailable ? " unavailable" : string.Empty) + (m.Disposed ? " disposed" : string.Empty);

    public static Op Interpret(uint c, PoolModel model, ModelConfig config, bool restricted)
    {
        var op = Interpret(c, model, restricted, config.Features);

        // Determinism, not a bug: with MinSize on, a failed check on borrow starts a refill create that
        // races the same acquire's retry (see ModelConfig.From), so a run that validates keeps MinSize 0.
        if (op.Kind == OpKind.SetMinSize && op.Value > 0 && config.ValidateAfterIdle != ModelConfig.Inf)
        {
            op = op with { Value = 0 };
        }

        return op;
    }

    /// <summary>
    /// One choice number as an operation. The features only add meanings a plain config never reaches
    /// (a fourth create or validate mode; answering a held check or a stuck create, which exist only
    /// with them, in the advance bucket), so the replays of plain configs stay what they were.
    /// </summary>
    public static Op Interpret(uint c, PoolModel model, bool restricted, ModelFeatures features = ModelFeatures.None)
    {
        uint bucket = c % 100;
        uint arg = c / 100;
        bool stuck = features.HasFlag(ModelFeatures.StuckCreates);
        bool checks = features.HasFlag(ModelFeatures.HangingChecks);
        var active = model.Acquires.Where(a => a.Active).ToList();
        var cancellable = model.Acquires.Where(a => a.Cancellable && a.Outcome == Outcome.Pending).ToList();
        var returned = model.Acquires.Where(a => a.Outcome == Outcome.Lease && !a.Active).ToList();
        Op AcquireOp() => new(OpKind.Acquire, model.Acquires.Count, (arg % 4) switch
        {
            0 => 0,
            1 => ModelConfig.Ms(1000),
            2 => ModelConfig.Ms(3000),
            _ => ModelConfig.Inf,
        }, Cancellable: (arg / 4) % 2 == 1);
        Op AdvanceOp() => new(OpKind.Advance, Ticks: ModelConfig.Ms((arg % 4) switch { 0 => 100, 1 => 1000, 2 => 2500, _ => 5000 }));
        Op AdvanceOrAnswer() =>
            bucket < 52 && model.HeldChecks > 0 ? new Op(OpKind.AnswerCheck, Value: restricted ? 0 : (int)(arg % 2)) // the canary trusts every answer
            : bucket >= 52 && model.StuckCalls > 0 ? new Op(OpKind.ReleaseCreate, Value: (int)(arg % 2))
            : AdvanceOp();

        return bucket switch
        {
            < 15 => AcquireOp(),
            < 25 when !checks || active.Count == 0 => AcquireOp(), // with hanging checks, more returns: a check needs an idle connection
            < 40 => active.Count > 0 ? new Op(OpKind.Return, active[(int)(arg % (uint)active.Count)].Index) : AcquireOp(),
            // Shared leases: a stale second return of a lease already returned must change nothing (I7, I13).
            < 45 when bucket >= 43 && model.MaxLeases > 1 && returned.Count > 0 => new Op(OpKind.ReturnAgain, returned[(int)(arg % (uint)returned.Count)].Index),
            < 45 => active.Count > 0 ? new Op(OpKind.Invalidate, active[(int)(arg % (uint)active.Count)].Index) : AcquireOp(),
            < 60 => AdvanceOrAnswer(),
            < 65 => new Op(OpKind.TryAcquire, model.Acquires.Count),
            < 70 => cancellable.Count > 0 ? new Op(OpKind.Cancel, cancellable[(int)(arg % (uint)cancellable.Count)].Index) : AdvanceOp(),
            < 78 => new Op(OpKind.SetCreate, Value: (int)(arg % (stuck ? 4u : 3u))),
            _ when restricted && checks && bucket < 83 => new Op(OpKind.SetValidate, Value: arg % 2 == 0 ? (int)ValidateMode.Ok : (int)ValidateMode.Hang),
            _ when restricted => bucket < 83 ? new Op(OpKind.SetDestroy, Value: (int)(arg % 2)) : AdvanceOp(),
            < 82 => new Op(OpKind.SetValidate, Value: checks && arg % 2 == 0 ? (int)ValidateMode.Hang : (int)((checks ? arg / 2 : arg) % 3)),
            < 85 => new Op(OpKind.SetDestroy, Value: (int)(arg % 2)),
            < 88 => new Op(OpKind.Clear),
            < 91 => new Op(OpKind.SetMaxSize, Value: (int)(arg % 4)),
            < 94 => new Op(OpKind.SetMinSize, Value: (int)(arg % 4)),
            < 98 => new Op(OpKind.Maintenance),

            // With hanging checks, dispose comes mostly while a check is held (the case worth meeting), and
            // rarely before one could be: an early dispose leaves nothing to check.
            _ when checks && model.HeldChecks == 0 && arg % 4 != 0 => new Op(OpKind.Maintenance),
            _ => new Op(OpKind.Dispose),
        };
    }

    private static bool? Apply(Op op, PoolModel m)
    {
        switch (op.Kind)
        {
            case OpKind.Acquire: m.Acquire(op.Ticks, op.Cancellable); break;
            case OpKind.TryAcquire: m.TryAcquire(); break;
            case OpKind.Return: m.Return(m.Acquires[op.Target], false); break;
            case OpKind.ReturnAgain: m.Return(m.Acquires[op.Target], false); break; // returned already: nothing happens
            case OpKind.Invalidate: m.Return(m.Acquires[op.Target], true); break;
            case OpKind.Cancel: m.Cancel(m.Acquires[op.Target]); break;
            case OpKind.Advance: m.Advance(op.Ticks); break;
            case OpKind.SetCreate: m.SetCreate((CreateMode)op.Value); break;
            case OpKind.SetValidate: m.SetValidate((ValidateMode)op.Value); break;
            case OpKind.SetDestroy: m.SetDestroy((DestroyMode)op.Value); break;
            case OpKind.Clear: m.Clear(); break;
            case OpKind.SetMaxSize: return m.SetMaxSize(op.Value);
            case OpKind.SetMinSize: return m.SetMinSize(op.Value);
            case OpKind.Maintenance: m.RunMaintenance(); break;
            case OpKind.Dispose: m.Dispose(); break;
            case OpKind.AnswerCheck: m.AnswerCheck(op.Value == 0); break;
            case OpKind.ReleaseCreate: m.ReleaseCreate(op.Value == 0); break;
        }

        return null;
    }

    /// <param name="model">The model after this step: how many acquires wait for a held check (no timer changes it).</param>
    /// <param name="checkerLeft">Whether the oldest held check's acquirer had left before this step (then its answer is only seen in the statistics).</param>
    private static bool? Apply(Op op, LockstepDriver p, PoolModel model, bool checkerLeft)
    {
        bool? result = null;
        switch (op.Kind)
        {
            case OpKind.Acquire: p.Acquire(op.Target, op.Ticks, op.Cancellable); break;
            case OpKind.TryAcquire: p.TryAcquire(op.Target); break;
            case OpKind.Return: p.Return(op.Target, false); break;
            case OpKind.ReturnAgain: p.Return(op.Target, false); break;
            case OpKind.Invalidate: p.Return(op.Target, true); break;
            case OpKind.Cancel: p.Cancel(op.Target); break;
            case OpKind.Advance: p.Advance(op.Ticks, model.CheckingAcquires, model.HeldChecks); break;
            case OpKind.SetCreate: p.Factory.Set((CreateMode)op.Value); break;
            case OpKind.SetValidate: p.Checks.ValidateMode = (ValidateMode)op.Value; break;
            case OpKind.SetDestroy: p.Factory.Set((DestroyMode)op.Value); break;
            case OpKind.Clear: p.Clear(); break;
            case OpKind.SetMaxSize: result = p.SetMaxSize(op.Value); break;
            case OpKind.SetMinSize: result = p.SetMinSize(op.Value); break;
            case OpKind.Maintenance: p.RunMaintenance(); break;
            case OpKind.Dispose: p.Dispose(); break;
            case OpKind.AnswerCheck: p.AnswerCheck(op.Value == 0, checkerLeft); break;
            case OpKind.ReleaseCreate: p.ReleaseCreate(op.Value == 0); break;
        }

        return result;
    }

    private static string? Compare(PoolModel model, LockstepDriver pool, bool full, Op? op)
    {
        bool settled = pool.Settle(model.CheckingAcquires, model.HeldChecks);
        var actual = pool.Statistics();
        var expected = model.Statistics;
        if (PoolInvariants.FindViolation(actual) is { } violation)
        {
            return violation;
        }

        var diffs = new List<string>();
        foreach (var p in typeof(PoolStatistics).GetProperties())
        {
            bool core = p.Name is "MaxSize" or "Idle" or "InUse" or "Creating" or "Waiters" or "Total" or "Leases" or "BusiestConnectionLeases" or "MaxLeasesPerConnection";
            if (!full && !core)
            {
                continue;
            }

            object? a = p.GetValue(actual), e = p.GetValue(expected);
            if (!Equals(a, e))
            {
                diffs.Add($"{p.Name}: pool {a}, model {e}");
            }
        }

        foreach (var acq in model.Acquires)
        {
            var got = pool.OutcomeOf(acq.Index);
            if (got != acq.Outcome)
            {
                diffs.Add($"a{acq.Index}: pool {got}, model {acq.Outcome}");
            }
        }

        // The factory's ground truth, in every run: I8's bound on create calls in flight (abandoned ones
        // included; the option, since lowering MaxSize cancels no call), and no call beside a running check (I11).
        var f = pool.Factory;
        if (f.CreatesInFlight > model.Statistics.MaxConcurrentCreates)
        {
            diffs.Add($"I8 Creates belong to the pool violated: {f.CreatesInFlight} factory create calls in flight, MaxConcurrentCreates {model.Statistics.MaxConcurrentCreates}");
        }

        if (pool.Checks.Overlaps.Count > 0)
        {
            diffs.Add($"I11 One call at a time per connection violated: {string.Join("; ", pool.Checks.Overlaps)}");
        }

        if (full)
        {
            if (f.CreateCalls != model.CreateCalls || pool.Checks.ValidateCalls != model.ValidateCalls || f.DestroyCalls != model.DestroyCalls
                || f.HungCreates != model.Hung || f.PendingCreates != model.StuckCalls || pool.Checks.HeldChecks != model.HeldChecks)
            {
                diffs.Add($"factory calls create/validate/destroy/hung/stuck/held checks: pool {f.CreateCalls}/{pool.Checks.ValidateCalls}/{f.DestroyCalls}/"
                    + $"{f.HungCreates}/{f.PendingCreates}/{pool.Checks.HeldChecks}, model {model.CreateCalls}/{model.ValidateCalls}/{model.DestroyCalls}/"
                    + $"{model.Hung}/{model.StuckCalls}/{model.HeldChecks}");
            }

            if (f.Live != actual.Idle + actual.InUse)
            {
                diffs.Add($"factory live {f.Live} != idle + in use {actual.Idle + actual.InUse}");
            }

            if (pool.DisposeCompleted != model.DisposeCompleted && op?.Kind is OpKind.Dispose or OpKind.Return)
            {
                diffs.Add($"DisposeAsync completed: pool {pool.DisposeCompleted}, model {model.DisposeCompleted}");
            }
        }

        if (diffs.Count == 0)
        {
            return null;
        }

        return (settled ? string.Empty : "(the pool did not settle) ") + string.Join("; ", diffs);
    }
}
