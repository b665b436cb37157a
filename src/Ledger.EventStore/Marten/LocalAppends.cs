namespace Ledger.EventStore.Marten;

/// <summary>
/// Wakes this process's subscriptions when this process committed events, so a reaction follows a local command within
/// milliseconds instead of at the next poll. A hint, never a source of truth: subscriptions still poll, which is how they
/// see other nodes' events, and they read only what the gap rule lets through.
/// </summary>
internal static class LocalAppends
{
    private static TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the next commit after it was taken: take it before reading, wait on it after.</summary>
    public static Task Next => Volatile.Read(ref _next).Task;

    public static void Committed() =>
        Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
