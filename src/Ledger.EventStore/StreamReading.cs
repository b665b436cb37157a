namespace Ledger.EventStore;

public static class StreamReading
{
    private const int PageSize = 1000;

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
