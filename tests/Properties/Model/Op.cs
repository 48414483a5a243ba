namespace Pool.Tests.Properties.Model;

internal enum OpKind
{
    Acquire,
    Return,
    Invalidate,
    Advance,
    TryAcquire,
    Cancel,
    SetCreate,
    SetValidate,
    SetDestroy,
    Clear,
    SetMaxSize,
    SetMinSize,
    Maintenance,
    Dispose,
    AnswerCheck,
    ReleaseCreate,
    ReturnAgain,
}

/// <summary>
/// One step. <see cref="Target"/> is the acquire number a Return/Invalidate/Cancel refers to;
/// <see cref="Ticks"/> is a timeout (0 = the pool's AcquireTimeout, Inf = infinite) or an advance;
/// <see cref="Value"/> a mode, a size, or for AnswerCheck/ReleaseCreate 0 = pass/connection, 1 = fail.
/// </summary>
internal sealed record Op(OpKind Kind, int Target = 0, long Ticks = 0, bool Cancellable = false, int Value = 0)
{
    public override string ToString() => Kind switch
    {
        OpKind.Acquire => $"a{Target}=Acquire({(Ticks == 0 ? "default" : ModelConfig.Show(Ticks))}{(Cancellable ? ", token" : "")})",
        OpKind.TryAcquire => $"a{Target}=TryAcquire()",
        OpKind.Return => $"Return(a{Target})",
        OpKind.Invalidate => $"Invalidate+Return(a{Target})",
        OpKind.ReturnAgain => $"ReturnAgain(a{Target})",
        OpKind.Cancel => $"Cancel(a{Target})",
        OpKind.Advance => $"Advance({ModelConfig.Show(Ticks)})",
        OpKind.SetCreate => $"Factory.Create={(Support.CreateMode)Value}",
        OpKind.SetValidate => $"Factory.Validate={(Support.ValidateMode)Value}",
        OpKind.SetDestroy => $"Factory.Destroy={(Support.DestroyMode)Value}",
        OpKind.SetMaxSize => $"SetMaxSize({Value})",
        OpKind.SetMinSize => $"SetMinSize({Value})",
        OpKind.Clear => "Clear()",
        OpKind.Maintenance => "RunMaintenance()",
        OpKind.Dispose => "DisposeAsync()",
        OpKind.AnswerCheck => $"AnswerOldestCheck({(Value == 0 ? "valid" : "invalid")})",
        OpKind.ReleaseCreate => $"ReleaseOldestStuckCreate({(Value == 0 ? "connection" : "failure")})",
        _ => Kind.ToString(),
    };
}

internal enum Outcome
{
    Pending,
    Lease,
    NoLease,
    Exhausted,
    Cancelled,
    Disposed,
    CreateFailed,
    Unavailable,
    Other,
}
