namespace Ledger.EventStore.Verification;

/// <summary>Why a link of a stream's hash chain is broken.</summary>
public enum BrokenLinkKind
{
    /// <summary>The event's own hash does not match its type, data and metadata: the event was edited.</summary>
    EventAltered,
    /// <summary>The event does not chain to the event before it: an event before it was removed, edited or reordered.</summary>
    ChainBroken,
    /// <summary>Revisions are not contiguous: an event was removed.</summary>
    RevisionMissing,
    /// <summary>Global positions do not increase along the stream: events were reordered.</summary>
    OutOfOrder,
    /// <summary>The event carries no ledger hash, or metadata that does not parse: another tool wrote it, or a hand edited it.</summary>
    NotWrittenByLedger,
    /// <summary>The store records the stream as longer than the events it holds: its newest event(s) were removed.</summary>
    TailMissing,
}

public sealed record BrokenLink(string StreamId, long Revision, BrokenLinkKind Kind, string Detail);

public sealed record ChainReport(string StreamId, long EventsChecked, BrokenLink? FirstBrokenLink)
{
    public bool Intact => FirstBrokenLink is null;
}

/// <summary>
/// Recomputes hash chains from what the event store hands back, to show that nothing was altered, removed or
/// reordered since it was appended (ADR/0005). Reads through the port, so it checks either backend.
/// </summary>
public sealed class ChainVerifier(IEventStore store)
{
    public async Task<ChainReport> VerifyStreamAsync(string streamId, CancellationToken ct = default)
    {
        var link = new ChainLink(streamId);
        await foreach (var e in store.ReadWholeStreamAsync(streamId, ct))
            if (link.Check(e) is { } broken)
                return new ChainReport(streamId, link.Checked, broken);
        var tail = await TailAsync(link, ct);
        return new ChainReport(streamId, link.Checked, tail);
    }

    /// <summary>
    /// A stream's chain from its first event through revision <paramref name="through"/> only: the evidence one later fact
    /// relies on (the catalog version a quote was priced under, ADR/0013). Events after it are not that fact's evidence, so
    /// neither they nor the stream's tail are checked here; <see cref="VerifyAllAsync"/> checks them.
    /// </summary>
    public async Task<ChainReport> VerifyStreamThroughAsync(string streamId, long through, CancellationToken ct = default)
    {
        var link = new ChainLink(streamId);
        await foreach (var e in store.ReadWholeStreamAsync(streamId, ct))
        {
            if (link.Check(e) is { } broken) return new ChainReport(streamId, link.Checked, broken);
            if (e.Revision >= through) break;
        }
        return new ChainReport(streamId, link.Checked, null);
    }

    /// <summary>
    /// The chain cannot show a removed newest event (nothing follows it); the stream's own recorded length can. In
    /// PostgreSQL that is <c>mt_streams.version</c>, kept apart from the events. A stream that grew while it was walked
    /// also records more than was walked: the walk goes on over what was appended since, and only a recorded revision
    /// with no event behind it is a removal.
    /// </summary>
    private async Task<BrokenLink?> TailAsync(ChainLink link, CancellationToken ct)
    {
        // A stream that keeps growing faster than it is read is reported as far as it was walked.
        for (var round = 0; round < TailRounds; round++)
        {
            if (await store.ReadStreamAsync(link.StreamId, ReadDirection.Backwards, StreamRevision.End, 1, ct) is not ReadStreamResult.Found found
                || found.LastRevision <= link.LastRevision) return null;
            var walked = link.LastRevision;
            if (await store.ReadStreamAsync(link.StreamId, ReadDirection.Forwards, new StreamRevision(walked + 1), int.MaxValue, ct) is ReadStreamResult.Found since)
                foreach (var e in since.Events)
                    if (link.Check(e) is { } broken) return broken;
            if (link.LastRevision == walked)
                return new BrokenLink(link.StreamId, walked + 1, BrokenLinkKind.TailMissing,
                    $"The store records revision {found.LastRevision} as the stream's last, but its last event is revision {walked}: " +
                    $"{found.LastRevision - walked} newest event(s) removed.");
        }
        return null;
    }

    private const int TailRounds = 5;

    /// <summary>Every stream, in one pass over the global order; reports each stream's first broken link.</summary>
    public async Task<IReadOnlyList<ChainReport>> VerifyAllAsync(CancellationToken ct = default)
    {
        var links = new Dictionary<string, ChainLink>(StringComparer.Ordinal);
        var broken = new Dictionary<string, BrokenLink>(StringComparer.Ordinal);
        await foreach (var e in store.ReadEverythingAsync(ct))
        {
            if (broken.ContainsKey(e.StreamId)) continue;
            if (!links.TryGetValue(e.StreamId, out var link)) links[e.StreamId] = link = new ChainLink(e.StreamId);
            if (link.Check(e) is { } b) broken[e.StreamId] = b;
        }
        var reports = new List<ChainReport>();
        foreach (var link in links.Values.OrderBy(l => l.StreamId, StringComparer.Ordinal))
        {
            if (broken.TryGetValue(link.StreamId, out var b) && b.Kind == BrokenLinkKind.RevisionMissing)
            {
                // In global order a reordered stream looks like one with a hole; its own order tells which it is.
                reports.Add(await VerifyStreamAsync(link.StreamId, ct));
                continue;
            }
            var found = b ?? await TailAsync(link, ct);
            reports.Add(new ChainReport(link.StreamId, link.Checked, found));
        }
        return reports;
    }

    /// <summary>The state of one stream's walk: what the next event must chain to.</summary>
    private sealed class ChainLink(string streamId)
    {
        private string _previousHash = "";
        private long _expectedRevision;
        private GlobalPosition? _previousPosition;

        public string StreamId => streamId;
        public long Checked { get; private set; }

        /// <summary>The revision of the last event that checked out (-1 before the first).</summary>
        public long LastRevision => _expectedRevision - 1;

        public BrokenLink? Check(RecordedEvent e)
        {
            Checked++;
            if (e.Revision != _expectedRevision)
                return new BrokenLink(streamId, e.Revision, BrokenLinkKind.RevisionMissing,
                    $"Expected revision {_expectedRevision} but found {e.Revision}: {e.Revision - _expectedRevision} event(s) missing.");
            if (_previousPosition is { } previous && e.Position.CompareTo(previous) <= 0)
                return new BrokenLink(streamId, e.Revision, BrokenLinkKind.OutOfOrder,
                    $"Revision {e.Revision} is at global position {e.Position}, not after {previous}.");
            if (e.Defect is { } defect)
                return new BrokenLink(streamId, e.Revision, BrokenLinkKind.NotWrittenByLedger, $"{e.Type} at revision {e.Revision}: {defect}.");
            if (!EventHash.Verify(e))
                return new BrokenLink(streamId, e.Revision, BrokenLinkKind.EventAltered,
                    $"The stored hash of {e.Type} at revision {e.Revision} does not match its type, data and metadata.");
            if (e.PreviousHash != _previousHash)
                return new BrokenLink(streamId, e.Revision, BrokenLinkKind.ChainBroken,
                    $"Revision {e.Revision} chains to {Short(e.PreviousHash)} but the event before it hashes to {Short(_previousHash)}.");
            _previousHash = e.Hash;
            _previousPosition = e.Position;
            _expectedRevision++;
            return null;
        }

        private static string Short(string hash) => hash.Length == 0 ? "(nothing)" : hash[..Math.Min(12, hash.Length)];
    }
}
