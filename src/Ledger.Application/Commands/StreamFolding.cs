using Ledger.EventStore;

namespace Ledger.Application.Commands;

public static class StreamFolding
{
    /// <summary>A stream's state right now, for a read outside any command (the quote a CRM asks for).</summary>
    public static async Task<TState> FoldAsync<TCommand, TEvent, TState>(this IEventStore store, EventSerializer serializer,
        Stream<TCommand, TEvent, TState> stream, CancellationToken ct) where TEvent : class =>
        (await store.LoadAsync(serializer, stream, ct)).State;

    /// <summary>A stream's state right now and the events it was folded from, for a read that also needs their envelopes.</summary>
    public static async Task<(TState State, IReadOnlyList<RecordedEvent> Events)> LoadAsync<TCommand, TEvent, TState>(this IEventStore store,
        EventSerializer serializer, Stream<TCommand, TEvent, TState> stream, CancellationToken ct) where TEvent : class
    {
        var events = await store.ReadWholeStreamListAsync(stream.Id, ct);
        return (stream.Fold(stream.Decider.Initial, events, serializer), events);
    }
}
