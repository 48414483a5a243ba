namespace Pool.Tests.Kit;

/// <summary>
/// The pool bugs the canaries copy, one name each in every test project (the Coyote canary, the FsCheck
/// model canary and the FsCheck-generated Coyote scenarios). Each is a bug the field has shipped; each
/// breaks an invariant of docs/invariants.md, which the tests that catch it name.
/// </summary>
public enum CanaryBug
{
    /// <summary>Decides "may I create?" from open connections only, then creates and counts after (BUG-291 #1): I1.</summary>
    CheckThenCreate,

    /// <summary>Reserves the slot, but a failed create never gives it back (BUG-291 #2): I2.</summary>
    SlotLeakOnFailedCreate,

    /// <summary>A waiter gives up (timeout, cancellation) but stays queued; a connection handed to it is lost (npgsql #1788): I3.</summary>
    LostHandOffToDeadWaiter,

    /// <summary>A failed create frees its slot but never wakes the waiter behind it (database/sql #10886): I2/I4.</summary>
    NoWakeUpAfterFailedCreate,

    /// <summary>A create given up at CreateTimeout frees its slot and counts nowhere while the factory call still runs, so the next create dials beside it (issue #12, item 3): I8. Only the Coyote canary has it.</summary>
    AbandonedCreateUncounted,

    /// <summary>An acquirer cancelled during its check on borrow puts the connection back to idle at once, while ValidateAsync still runs: I11. Only the Coyote canary has it.</summary>
    UncheckedReturnOnCancelledCheck,

    /// <summary>Shared leases (K &gt; 1): an off-by-one lets a connection already at K leases take one more, instead of a create or a wait: no more than K leases per connection.</summary>
    LeaseOnFullConnection,

    /// <summary>Shared leases (K &gt; 1): an invalidated connection still draining its other leases takes new ones: no lease on a broken connection.</summary>
    LeaseOnBrokenConnection,

    /// <summary>A served or refused waiter's deadline timer is never disposed: a timer per wait stays armed, holding the waiter, until it fires into a decided wait: I9 (nothing the pool armed outlives it). Only the Coyote canary has it.</summary>
    WaiterDeadlineLeftArmed,

    /// <summary>Shared leases (K &gt; 1): a second return of one lease (double dispose, a stale copy) is not seen as stale and takes a lease off the connection again: each lease returns at most once, and the connection's count matches its holders.</summary>
    LeaseCountDecrementedTwice,
}
