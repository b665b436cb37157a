namespace Ledger.EventStore.Anchoring;

/// <summary>The newest event of one stream, as an anchor records it.</summary>
public sealed record StreamHead(string StreamId, long Revision, string Hash);

/// <summary>Every stream's head, in one pass over the global order, read through the port (either backend).</summary>
public static class ChainHeads
{
    /// <summary>Heads ordered by stream id (ordinal), the order the Merkle tree takes them in.</summary>
    public static async Task<IReadOnlyList<StreamHead>> ReadAsync(IEventStore store, CancellationToken ct = default)
    {
        var heads = new Dictionary<string, StreamHead>(StringComparer.Ordinal);
        await foreach (var e in store.ReadEverythingAsync(ct))
            if (!heads.TryGetValue(e.StreamId, out var head) || e.Revision > head.Revision)
                heads[e.StreamId] = new StreamHead(e.StreamId, e.Revision, e.Hash);
        return heads.Values.OrderBy(h => h.StreamId, StringComparer.Ordinal).ToList();
    }
}
