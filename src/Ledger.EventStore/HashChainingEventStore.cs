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

    /// <summary>
    /// One read of the stream's tail (for the hash to chain from, and to answer a retry whose events are there
    /// already without writing) and one append; <c>NoStream</c> needs no read. <c>Exact</c> reads the newest event
    /// only, and a wider tail when the stream is not where the caller expects it. A caller that holds the tail
    /// already appends through <see cref="Backend"/> with <see cref="Chain"/>, as the command path does.
    /// </summary>
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
                // The usual case reads one event: the tail is where the caller expects it.
                var newest = await ReadTail(streamId, 1, cancellationToken);
                if (newest is [var last] && last.Revision == expected.Revision)
                    return await backend.AppendAsync(streamId, expected, Chain(events, last.Hash), cancellationToken);
                var tail = newest.Count == 0 ? newest : await ReadTail(streamId, RetryWindow, cancellationToken);
                if (Landed(tail, events) is { } repeat && repeat.First == expected.Revision + 1 && repeat.Answer is { } answer)
                    return answer;
                // Stale, ahead, or a repeat reaching past the tail read: the backend answers from what it stores.
                var previous = tail.FirstOrDefault(e => e.Revision == expected.Revision)
                    ?? await ReadOne(streamId, expected.Revision, cancellationToken);
                return await backend.AppendAsync(streamId, expected, Chain(events, previous?.Hash ?? ""), cancellationToken);
            }

            default:
                for (var attempt = 0; ; attempt++)
                {
                    var tail = await ReadTail(streamId, RetryWindow, cancellationToken);
                    var last = tail.Count == 0 ? null : tail[0];
                    if (last is null && expected.Kind == ExpectedRevisionKind.StreamExists)
                        return new AppendResult.WrongExpectedRevision(expected, -1);

                    // A retry whose events landed: answered from the read, nothing written.
                    if (Landed(tail, events) is { } repeat)
                    {
                        if (repeat.Answer is { } answer) return answer;
                        // Only part of it is in the tail read: the backend recognises the ids after the revision
                        // they were written after and returns the original result (or refuses a mismatch).
                        var before = repeat.First == 0 ? null : await ReadOne(streamId, repeat.First - 1, cancellationToken);
                        return await backend.AppendAsync(streamId, ExpectedRevision.After(repeat.First - 1),
                            Chain(events, before?.Hash ?? ""), cancellationToken);
                    }

                    var pinned = ExpectedRevision.After(last?.Revision ?? -1);
                    var result = await backend.AppendAsync(streamId, pinned, Chain(events, last?.Hash ?? ""), cancellationToken);
                    if (result is AppendResult.Success || attempt >= MaxPinnedAttempts) return result;
                }
        }
    }

    /// <summary>
    /// Where the first event's id sits in a tail read (newest first), and the original answer when every event of
    /// the append is there in order: a retry of an append that was written.
    /// </summary>
    private static (long First, AppendResult.Success? Answer)? Landed(IReadOnlyList<RecordedEvent> tail, IReadOnlyList<EventToAppend> events)
    {
        var at = -1;
        for (var i = 0; i < tail.Count; i++)
            if (tail[i].EventId == events[0].EventId) { at = i; break; }
        if (at < 0) return null;
        var first = tail[at].Revision;
        // Newest first: the append's k-th event is k places nearer the start of the list.
        if (at - (events.Count - 1) < 0) return (first, null);
        for (var k = 1; k < events.Count; k++)
            if (tail[at - k].EventId != events[k].EventId) return (first, null);
        var lastOfAppend = tail[at - (events.Count - 1)];
        return (first, new AppendResult.Success(lastOfAppend.Revision, lastOfAppend.Position, Deduplicated: true));
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

    private async Task<IReadOnlyList<RecordedEvent>> ReadTail(string streamId, int count, CancellationToken ct) =>
        await backend.ReadStreamAsync(streamId, ReadDirection.Backwards, StreamRevision.End, count, ct) is
            ReadStreamResult.Found found
            ? found.Events
            : [];
}
