using System.Runtime.CompilerServices;
using Marten;

namespace Ledger.EventStore.Marten;

/// <summary>
/// This process's commits of events to one store, for the subscriptions reading it (ADR/0017): a subscription waiting out
/// its poll interval reads at once when this process commits, instead of up to a poll later. Appends by another process are
/// still found by polling; the signal only says "read now", what is safe to hand out stays the feed's gap rule.
/// </summary>
internal sealed class CommitSignal
{
    private static readonly ConditionalWeakTable<IDocumentStore, CommitSignal> ByStore = new();

    public static CommitSignal For(IDocumentStore store) => ByStore.GetValue(store, _ => new CommitSignal());

    private TaskCompletionSource _next = NewSource();

    /// <summary>Completes at the first commit after it was taken: take it before reading, so a commit during the read is not missed.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    public void Pulse() => Interlocked.Exchange(ref _next, NewSource()).TrySetResult();

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
