namespace Ledger.EventStore;

/// <summary>
/// The event store port: the system of record. Two backends implement it (Marten on PostgreSQL,
/// EventStoreDB over gRPC); <see cref="HashChainingEventStore"/> wraps either one so that both carry
/// the same hash chain. Revisions are 0-based like EventStoreDB's; positions are the backend's
/// global order (Marten's sequence, EventStoreDB's commit position).
/// </summary>
public interface IEventStore
{
    Task<AppendResult> AppendAsync(
        string streamId, ExpectedRevision expected, IReadOnlyList<EventToAppend> events,
        CancellationToken cancellationToken = default);

    Task<ReadStreamResult> ReadStreamAsync(
        string streamId, ReadDirection direction, StreamRevision from, int maxCount,
        CancellationToken cancellationToken = default);

    /// <summary>Events in global order with a position strictly after <paramref name="after"/>.</summary>
    IAsyncEnumerable<RecordedEvent> ReadAllAsync(
        GlobalPosition after, int maxCount, CancellationToken cancellationToken = default);

    /// <summary>
    /// Catches up from <paramref name="after"/>, then stays live until cancelled. A dropped connection is
    /// re-established from the last event handed out, so no event is skipped or repeated.
    /// </summary>
    IAsyncEnumerable<RecordedEvent> SubscribeToAllAsync(
        GlobalPosition after, CancellationToken cancellationToken = default);
}
