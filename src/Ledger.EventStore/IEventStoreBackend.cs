namespace Ledger.EventStore;

/// <summary>An event with its place in the stream's hash chain, as a backend stores it.</summary>
public sealed record ChainedEvent(EventToAppend Event, string PreviousHash, string Hash);

/// <summary>
/// What a storage backend provides. Backends store the hashes they are given and never compute them,
/// so the chain means the same in both; <see cref="HashChainingEventStore"/> turns a backend into the port.
/// A backend must treat an append whose event ids are already in the stream as a retry: nothing is
/// written and the original revision and position are returned.
/// </summary>
public interface IEventStoreBackend
{
    Task<AppendResult> AppendAsync(
        string streamId, ExpectedRevision expected, IReadOnlyList<ChainedEvent> events,
        CancellationToken cancellationToken = default);

    Task<ReadStreamResult> ReadStreamAsync(
        string streamId, ReadDirection direction, StreamRevision from, int maxCount,
        CancellationToken cancellationToken = default);

    IAsyncEnumerable<RecordedEvent> ReadAllAsync(
        GlobalPosition after, int maxCount, CancellationToken cancellationToken = default);

    IAsyncEnumerable<RecordedEvent> SubscribeToAllAsync(
        GlobalPosition after, CancellationToken cancellationToken = default);
}
