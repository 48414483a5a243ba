using System.Reflection;

namespace Pool.Internal;

/// <summary>
/// Work the pool owns (creates, destroys, timers) runs in the pool's context, not the caller's: an
/// acquire that causes a create, a return that causes a destroy, the constructor that starts the
/// maintenance timer must not lend that work their <see cref="ExecutionContext"/> (AsyncLocals such
/// as Activity.Current and log scopes, which would then outlive the caller or show up in another
/// caller's trace).
/// </summary>
/// <remarks>
/// Work that starts later (Task.Run, timers) is started with the flow suppressed, as SocketsHttpHandler
/// does. Work that must start inline (a destroy after a return starts before the creates decided in the
/// same section, see ConnectionPool.RunAfterLock) runs in the empty context instead. Both keep Coyote in
/// control: Task.Run stays Task.Run, and inline work stays on the calling operation.
/// </remarks>
internal static class PoolOwnedWork
{
    /// <summary>
    /// The context of a thread no caller touched. The runtime keeps it private; when it cannot be read
    /// (another runtime), inline work runs in the caller's context as before.
    /// </summary>
    // Coyote's rewriter fails every direct call on ExecutionContext as uncontrolled (it cannot replay
    // what a captured context carries). These calls only choose which AsyncLocals the pool's own work
    // sees: they schedule nothing, and Coyote finds its runtime per controlled thread, not through the
    // flow. So they are bound once as delegates, which the rewriter leaves alone, and the scenarios
    // run the same code the users do.
    private static readonly Func<bool> IsFlowSuppressed = ExecutionContext.IsFlowSuppressed;
    private static readonly Func<AsyncFlowControl> SuppressFlowNow = ExecutionContext.SuppressFlow;
    private static readonly Func<ExecutionContext?> Capture = ExecutionContext.Capture;
    private static readonly Action<ExecutionContext, ContextCallback, object?> RunIn = ExecutionContext.Run;

    private static readonly ExecutionContext? Empty =
        typeof(ExecutionContext).GetField("Default", BindingFlags.NonPublic | BindingFlags.Static)?.GetValue(null) as ExecutionContext;

    /// <summary>Starts <paramref name="work"/> on the thread pool without the caller's ExecutionContext.</summary>
    public static void Run(Func<Task> work)
    {
        using (SuppressFlow())
        {
            _ = Task.Run(work);
        }
    }

    /// <summary>Runs <paramref name="work"/> here and now, in the empty ExecutionContext.</summary>
    public static void RunInline<TState>(Action<TState> work, TState state)
    {
        if (Empty is null || ReferenceEquals(Capture(), Empty))
        {
            work(state); // already clean: no switch, no allocation
            return;
        }

        RunIn(Empty, static s => ((InlineWork<TState>)s!).Invoke(), new InlineWork<TState>(work, state));
    }

    /// <summary>Suppresses the flow of the ExecutionContext until disposed; a no-op if it is suppressed already.</summary>
    public static FlowSuppression SuppressFlow() =>
        IsFlowSuppressed() ? default : new FlowSuppression(SuppressFlowNow());

    /// <summary>Restores the flow a <see cref="SuppressFlow"/> suppressed.</summary>
    internal readonly struct FlowSuppression(AsyncFlowControl control) : IDisposable
    {
        private readonly bool _suppressed = true;

        public void Dispose()
        {
            if (_suppressed)
            {
                control.Undo();
            }
        }
    }

    private sealed class InlineWork<TState>(Action<TState> work, TState state)
    {
        public void Invoke() => work(state);
    }
}
