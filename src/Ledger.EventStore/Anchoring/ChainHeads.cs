namespace Ledger.EventStore.Anchoring;

/// <summary>The newest event of one stream, as an anchor records it.</summary>
public sealed record StreamHead(string StreamId, long Revision, string Hash);

/// <summary>Every stream's head, in one pass over the global order, read through the port (either backend).</summary>
public static class ChainHeads
{
    private const int PageSize = 1000;

    /// <summary>Heads ordered by stream id (ordinal), the order the Merkle tree takes them in.</summary>
    public static async Task<IReadOnlyList<StreamHead>> ReadAsync(IEventStore store, CancellationToken ct = default)
    {
        var heads = new Dictionary<string, StreamHead>(StringComparer.Ordinal);
        var after = GlobalPosition.Start;
        while (true)
        {
            var count = 0;
            await foreach (var e in store.ReadAllAsync(after, PageSize, ct))
            {
                count++;
                after = e.Position;
                if (!heads.TryGetValue(e.StreamId, out var head) || e.Revision > head.Revision)
                    heads[e.StreamId] = new StreamHead(e.StreamId, e.Revision, e.Hash);
            }
            if (count < PageSize) break;
        }
        return heads.Values.OrderBy(h => h.StreamId, StringComparer.Ordinal).ToList();
    }
}
