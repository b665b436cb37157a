namespace Ledger.EventStore;

/// <summary>
/// The port over any backend: computes each event's hash from the previous event of its stream, so both
/// backends carry the same tamper-evident chain (ADR/0005). An append that does not name an exact
/// revision is pinned to the tail it chained from, so two concurrent writers can never fork the chain.
/// </summary>
public sealed class HashChainingEventStore(IEventStoreBackend backend) : IEventStore
{
    // How far back an Any/StreamExists append looks for its own event ids (a retry of a write that landed).
    private const int RetryWindow = 64;
    private const int MaxPinnedAttempts = 10;

    public IEventStoreBackend Backend => backend;

    public async Task<AppendResult> AppendAsync(
        string streamId, ExpectedRevision expected, IReadOnlyList<EventToAppend> events,
        CancellationToken cancellationToken = default)
    {
        if (events.Count == 0) throw new ArgumentException("Append at least one event.", nameof(events));

        switch (expected.Kind)
        {
            case ExpectedRevisionKind.NoStream:
                return await backend.AppendAsync(streamId, expected, Chain(events, ""), cancellationToken);

            case ExpectedRevisionKind.Exact:
            {
                var previous = await ReadOne(streamId, expected.Revision, cancellationToken);
                return await backend.AppendAsync(streamId, expected, Chain(events, previous?.Hash ?? ""), cancellationToken);
            }

            default:
                for (var attempt = 0; ; attempt++)
                {
                    var tail = await ReadTail(streamId, cancellationToken);
                    var last = tail.Count == 0 ? null : tail[0];
                    if (last is null && expected.Kind == ExpectedRevisionKind.StreamExists)
                        return new AppendResult.WrongExpectedRevision(expected, -1);

                    // A retry whose first event already landed: hand it back with the revision it was
                    // written after, so the backend recognises the ids and returns the original result.
                    var landed = tail.FirstOrDefault(e => e.EventId == events[0].EventId);
                    if (landed is not null)
                    {
                        var before = landed.Revision == 0 ? null : await ReadOne(streamId, landed.Revision - 1, cancellationToken);
                        return await backend.AppendAsync(streamId, ExpectedRevision.After(landed.Revision - 1),
                            Chain(events, before?.Hash ?? ""), cancellationToken);
                    }

                    var pinned = ExpectedRevision.After(last?.Revision ?? -1);
                    var result = await backend.AppendAsync(streamId, pinned, Chain(events, last?.Hash ?? ""), cancellationToken);
                    if (result is AppendResult.Success || attempt >= MaxPinnedAttempts) return result;
                }
        }
    }

    public Task<ReadStreamResult> ReadStreamAsync(
        string streamId, ReadDirection direction, StreamRevision from, int maxCount,
        CancellationToken cancellationToken = default) =>
        backend.ReadStreamAsync(streamId, direction, from, maxCount, cancellationToken);

    public IAsyncEnumerable<RecordedEvent> ReadAllAsync(
        GlobalPosition after, int maxCount, CancellationToken cancellationToken = default) =>
        backend.ReadAllAsync(after, maxCount, cancellationToken);

    public IAsyncEnumerable<RecordedEvent> SubscribeToAllAsync(
        GlobalPosition after, CancellationToken cancellationToken = default) =>
        backend.SubscribeToAllAsync(after, cancellationToken);

    /// <summary>Each event's hash over the one before it, starting from <paramref name="previousHash"/> (the stream's tail).</summary>
    public static List<ChainedEvent> Chain(IReadOnlyList<EventToAppend> events, string previousHash)
    {
        var chained = new List<ChainedEvent>(events.Count);
        foreach (var e in events)
        {
            var hash = EventHash.Compute(e.Type, e.Data.Span, e.Metadata, previousHash);
            chained.Add(new ChainedEvent(e, previousHash, hash));
            previousHash = hash;
        }
        return chained;
    }

    private async Task<RecordedEvent?> ReadOne(string streamId, long revision, CancellationToken ct) =>
        await backend.ReadStreamAsync(streamId, ReadDirection.Backwards, new StreamRevision(revision), 1, ct) is
            ReadStreamResult.Found { Events: [var e] } && e.Revision == revision
            ? e
            : null;

    private async Task<IReadOnlyList<RecordedEvent>> ReadTail(string streamId, CancellationToken ct) =>
        await backend.ReadStreamAsync(streamId, ReadDirection.Backwards, StreamRevision.End, RetryWindow, ct) is
            ReadStreamResult.Found found
            ? found.Events
            : [];
}
