namespace Ledger.EventStore;

public static class StreamReading
{
    private const int PageSize = 1000;

    /// <summary>Every event of the store in global order, read page by page (what an anchor and its proof walk).</summary>
    public static async IAsyncEnumerable<RecordedEvent> ReadEverythingAsync(
        this IEventStore store, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        var after = GlobalPosition.Start;
        while (true)
        {
            var count = 0;
            await foreach (var e in store.ReadAllAsync(after, PageSize, ct))
            {
                count++;
                after = e.Position;
                yield return e;
            }
            if (count < PageSize) yield break;
        }
    }

    /// <summary>Every event of a stream, first to last, read page by page; nothing when the stream does not exist.</summary>
    public static async IAsyncEnumerable<RecordedEvent> ReadWholeStreamAsync(
        this IEventStore store, string streamId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        var from = StreamRevision.Start;
        while (await store.ReadStreamAsync(streamId, ReadDirection.Forwards, from, PageSize, ct) is ReadStreamResult.Found found)
        {
            foreach (var e in found.Events) yield return e;
            if (found.Events.Count < PageSize) yield break;
            from = new StreamRevision(found.Events[^1].Revision + 1);
        }
    }

    /// <summary>Every event of a stream, first to last, in one list; empty when the stream does not exist.</summary>
    public static async Task<List<RecordedEvent>> ReadWholeStreamListAsync(this IEventStore store, string streamId, CancellationToken ct = default)
    {
        var events = new List<RecordedEvent>();
        await foreach (var e in store.ReadWholeStreamAsync(streamId, ct)) events.Add(e);
        return events;
    }
}
