using Ledger.EventStore;

namespace Ledger.Application.Commands;

public static class StreamFolding
{
    /// <summary>A stream's state right now, for a read outside any command (the quote a CRM asks for).</summary>
    public static async Task<TState> FoldAsync<TCommand, TEvent, TState>(this IEventStore store, EventSerializer serializer,
        Stream<TCommand, TEvent, TState> stream, CancellationToken ct) where TEvent : class
    {
        var events = new List<RecordedEvent>();
        await foreach (var recorded in store.ReadWholeStreamAsync(stream.Id, ct)) events.Add(recorded);
        return stream.Fold(stream.Decider.Initial, events, serializer);
    }
}
