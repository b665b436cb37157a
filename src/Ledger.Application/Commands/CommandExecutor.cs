using Ledger.Domain.Common;
using Ledger.EventStore;
using NodaTime;

namespace Ledger.Application.Commands;

/// <summary>
/// The one path every command takes: load the stream through the port, fold, decide, append with the
/// expected revision. A lost race is re-loaded and re-decided a bounded number of times; a retry whose events
/// already landed (found by their derived ids) is answered from those events without deciding again.
/// </summary>
public sealed class CommandExecutor(IEventStore store, EventSerializer serializer, IClock clock)
{
    public const int MaxAttempts = 5;

    public async Task<CommandResult> ExecuteAsync<TCommand, TEvent, TState>(
        string streamId, Decider<TCommand, TEvent, TState> decider, TCommand command, CommandMetadata metadata, CancellationToken ct = default)
        where TEvent : class
    {
        var firstId = metadata.EventId(streamId, 0);
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var loaded = await LoadAsync(streamId, decider, ct);
            if (IndexOf(loaded.Events, firstId) is var landedAt and >= 0)
                return Replay(streamId, loaded.Events, landedAt, metadata);

            var now = clock.GetCurrentInstant();
            switch (decider.Decide(command, loaded.State, now))
            {
                case Decision<TEvent>.Refused r:
                    return new CommandResult.Refused(r.Refusal);
                case Decision<TEvent>.Accepted { Events.Count: 0 }:
                    return new CommandResult.Unchanged(streamId, loaded.LastRevision);
                case Decision<TEvent>.Accepted decided:
                    var toAppend = decided.Events.Select((e, i) => ToAppend(streamId, e, i, metadata, now)).ToList();
                    var result = await store.AppendAsync(streamId, ExpectedRevision.After(loaded.LastRevision), toAppend, ct);
                    if (result is AppendResult.Success success)
                        return new CommandResult.Appended(streamId, success.LastRevision, success.Position,
                            toAppend.Select(e => e.Type).ToList(), success.Deduplicated);
                    break; // wrong expected revision: someone else appended; load and decide again
            }
        }
        return new CommandResult.ConcurrencyConflict(streamId, MaxAttempts);
    }

    /// <summary>Decides without appending: the refusal the command would get now, or null. A batch checks every item before it appends any.</summary>
    public async Task<Refusal?> CheckAsync<TCommand, TEvent, TState>(string streamId, Decider<TCommand, TEvent, TState> decider, TCommand command, CancellationToken ct)
        where TEvent : class =>
        decider.Decide(command, (await LoadAsync(streamId, decider, ct)).State, clock.GetCurrentInstant()) is Decision<TEvent>.Refused r ? r.Refusal : null;

    /// <summary>Reads a whole stream and folds it: its state, its last revision (-1 when it does not exist), and its events.</summary>
    public async Task<LoadedStream<TState>> LoadAsync<TCommand, TEvent, TState>(string streamId, Decider<TCommand, TEvent, TState> decider, CancellationToken ct)
        where TEvent : class
    {
        var state = decider.Initial;
        var events = new List<RecordedEvent>();
        await foreach (var recorded in store.ReadWholeStreamAsync(streamId, ct))
        {
            state = decider.Evolve(state, (TEvent)serializer.Deserialize(recorded.Type, recorded.Data.Span));
            events.Add(recorded);
        }
        return new LoadedStream<TState>(state, events.Count == 0 ? -1 : events[^1].Revision, events);
    }

    private EventToAppend ToAppend<TEvent>(string streamId, TEvent @event, int index, CommandMetadata metadata, Instant now)
        where TEvent : class
    {
        var (type, data) = serializer.Serialize(@event);
        return new EventToAppend(metadata.EventId(streamId, index), type, data,
            new EventMetadata(metadata.CorrelationId, metadata.CommandId, metadata.Actor, metadata.SourceSystem,
                metadata.IdempotencyKey, now));
    }

    private static int IndexOf(IReadOnlyList<RecordedEvent> events, Guid eventId)
    {
        for (var i = 0; i < events.Count; i++)
            if (events[i].EventId == eventId) return i;
        return -1;
    }

    private static CommandResult Replay(string streamId, IReadOnlyList<RecordedEvent> events, int landedAt, CommandMetadata metadata)
    {
        // The earlier attempt appended events with ids 0..n-1 in a row; answer with exactly those.
        var mine = new List<RecordedEvent>();
        for (var i = landedAt; i < events.Count && events[i].EventId == metadata.EventId(streamId, i - landedAt); i++)
            mine.Add(events[i]);
        return new CommandResult.Appended(streamId, mine[^1].Revision, mine[^1].Position, mine.Select(e => e.Type).ToList(), Replayed: true);
    }
}

public sealed record LoadedStream<TState>(TState State, long LastRevision, IReadOnlyList<RecordedEvent> Events);
