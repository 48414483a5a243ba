namespace Pool.Demo.Load;

/// <summary>How one worker call ended. Every call that was started ends in exactly one of these.</summary>
internal enum Outcome
{
    /// <summary>The call was answered (and the answer was right).</summary>
    Succeeded,

    /// <summary>The acquire waited out its timeout (<see cref="PoolExhaustedException"/>).</summary>
    AcquireTimedOut,

    /// <summary>The pool's fast-fail window was open (<see cref="PoolUnavailableException"/>).</summary>
    FailedFast,

    /// <summary>The create this acquire waited for failed (<see cref="ConnectionCreateException"/>).</summary>
    CreateFailed,

    /// <summary>The caller's token cancelled the acquire.</summary>
    AcquireCancelled,

    /// <summary>
    /// The call failed with Unavailable, Internal or Unknown: an injected server answer (the channel
    /// stays) or a broken connection (the drop-in client evicts its channel).
    /// </summary>
    CallBroken,

    /// <summary>The call hit its gRPC deadline (a hang); a probe on its channel decides whether the channel goes.</summary>
    CallDeadline,

    /// <summary>The caller's token cancelled the call.</summary>
    CallCancelled,

    /// <summary>Anything else: always a check failure.</summary>
    Unexpected,
}

/// <summary>Names for reports.</summary>
internal static class Outcomes
{
    public static readonly Outcome[] All = Enum.GetValues<Outcome>();

    public static readonly Outcome[] Failures = [.. All.Where(o => o != Outcome.Succeeded)];

    /// <summary>Outcomes that end a call before it held a client.</summary>
    public static bool BeforeLease(Outcome outcome) => outcome is Outcome.AcquireTimedOut or Outcome.FailedFast or Outcome.CreateFailed or Outcome.AcquireCancelled;

    public static string Describe(Outcome outcome) => outcome switch
    {
        Outcome.Succeeded => "succeeded",
        Outcome.AcquireTimedOut => "acquire timed out",
        Outcome.FailedFast => "failed fast (pool unavailable)",
        Outcome.CreateFailed => "create failed",
        Outcome.AcquireCancelled => "acquire cancelled",
        Outcome.CallBroken => "call failed (Unavailable etc.)",
        Outcome.CallDeadline => "call deadline (hang)",
        Outcome.CallCancelled => "call cancelled",
        _ => "unexpected error",
    };
}
