using Ledger.Domain.Common;
using Ledger.EventStore;
using Ledger.EventStore.Writing;
using NodaTime;

namespace Ledger.Application.Commands;

/// <summary>A stream loaded for a decision: its state, and the snapshot the append chains from.</summary>
public sealed record Loaded<TCommand, TEvent, TState>(Stream<TCommand, TEvent, TState> Stream, TState State, StreamSnapshot Snapshot)
    where TEvent : class;

/// <summary>A stored answer was found for the request's key: the command already ran, nothing is decided again.</summary>
public sealed class AlreadyAnsweredException(StoredAnswer answer) : Exception("This request was already answered.")
{
    public StoredAnswer Answer { get; } = answer;
}

/// <summary>
/// One command's work (ADR/0016): load each stream once, decide with the pure decider at one instant, append. Runs
/// inside an <see cref="IWriteSession"/>, so in PostgreSQL mode everything it reads and writes is one transaction.
/// </summary>
public sealed class CommandUnit(IWriteSession session, EventSerializer serializer, CommandMetadata metadata, Instant now)
{
    // Events this unit appended per stream: a second decision on the same stream numbers its event ids on from there.
    private readonly Dictionary<string, int> _appended = new(StringComparer.Ordinal);

    public CommandMetadata Metadata => metadata;

    public Instant Now => now;

    /// <summary>The transaction this unit commits in: durable messages enlisted in it leave only if the unit commits.</summary>
    public Task<System.Data.Common.DbTransaction> TransactionAsync(CancellationToken ct) => session.TransactionAsync(ct);

    /// <summary>For work with effects outside the store (a rebuild): looks up the answer before anything is done.</summary>
    public async Task ThrowIfAnswered(CancellationToken ct)
    {
        if (await session.FindAnswerAsync(ct) is { } answer) throw new AlreadyAnsweredException(answer);
    }

    /// <summary>Loads a stream to decide on; it stays locked until the unit commits.</summary>
    public Task<Loaded<TCommand, TEvent, TState>> Load<TCommand, TEvent, TState>(Stream<TCommand, TEvent, TState> stream, CancellationToken ct)
        where TEvent : class => ReadAsync(stream, forWrite: true, ct);

    /// <summary>The state of a stream a decision only consults (the quote an approval checks against); not locked.</summary>
    public async Task<TState> Consult<TCommand, TEvent, TState>(Stream<TCommand, TEvent, TState> stream, CancellationToken ct)
        where TEvent : class => (await ReadAsync(stream, forWrite: false, ct)).State;

    /// <summary>A reference stream's state moved on from a cached one by the events after its revision, and the revision reached.</summary>
    public async Task<(TState State, long Revision)> CatchUp<TCommand, TEvent, TState>(Stream<TCommand, TEvent, TState> stream,
        TState cached, long revision, CancellationToken ct) where TEvent : class
    {
        var events = await session.ReadNewAsync(stream.Id, revision, ct);
        return events.Count == 0 ? (cached, revision) : (stream.Fold(cached, events, serializer), events[^1].Revision);
    }

    /// <summary>
    /// Decides <paramref name="command"/> on the loaded state and appends what it decides. A retry whose events already
    /// landed (found by their derived ids) is answered from those events without deciding again.
    /// </summary>
    public async Task<CommandResult> Decide<TCommand, TEvent, TState>(Loaded<TCommand, TEvent, TState> loaded, TCommand command, CancellationToken ct)
        where TEvent : class => (await DecideAndEvolve(loaded, command, ct)).Result;

    /// <summary>Loads and decides in one step: the usual command on one stream.</summary>
    public async Task<CommandResult> Decide<TCommand, TEvent, TState>(Stream<TCommand, TEvent, TState> stream, Func<TState, TCommand> command, CancellationToken ct)
        where TEvent : class
    {
        var loaded = await Load(stream, ct);
        return await Decide(loaded, command(loaded.State), ct);
    }

    /// <summary>
    /// Decides and also answers the stream's state after the decision, evolved from what was decided, so that a
    /// follow-up step needs no second read of a stream the unit just wrote.
    /// </summary>
    public async Task<(CommandResult Result, TState After)> DecideAndEvolve<TCommand, TEvent, TState>(Loaded<TCommand, TEvent, TState> loaded,
        TCommand command, CancellationToken ct) where TEvent : class
    {
        var streamId = loaded.Stream.Id;
        var offset = _appended.GetValueOrDefault(streamId);
        // A retry whose events landed: the loaded state already holds them.
        if (IndexOf(loaded.Snapshot.Events, metadata.EventId(streamId, offset)) is var landedAt and >= 0)
            return (Replay(streamId, loaded.Snapshot.Events, landedAt, offset), loaded.State);

        switch (loaded.Stream.Decider.Decide(command, loaded.State, now))
        {
            case Decision<TEvent>.Refused r:
                return (new CommandResult.Refused(r.Refusal), loaded.State);
            case Decision<TEvent>.Accepted { Events.Count: 0 }:
                return (new CommandResult.Unchanged(streamId, loaded.Snapshot.LastRevision), loaded.State);
            case Decision<TEvent>.Accepted decided:
                using (var activity = LedgerTracing.Source.StartActivity("ledger.append"))
                {
                    var toAppend = decided.Events.Select((e, i) => ToAppend(streamId, e, offset + i)).ToList();
                    activity?.SetTag("ledger.stream", streamId);
                    activity?.SetTag("ledger.event.types", string.Join(",", toAppend.Select(e => e.Type)));
                    var appended = await session.AppendAsync(loaded.Snapshot, toAppend, ct);
                    activity?.SetTag("ledger.revision", appended.LastRevision);
                    _appended[streamId] = offset + toAppend.Count;
                    return (new CommandResult.Appended(streamId, appended.LastRevision, appended.Position, toAppend.Select(e => e.Type).ToList(), Replayed: false),
                        decided.Events.Aggregate(loaded.State, loaded.Stream.Decider.Evolve));
                }
            default:
                throw new InvalidOperationException("A decision is accepted or refused.");
        }
    }

    /// <summary>Loads, decides, and answers the state after the decision.</summary>
    public async Task<(CommandResult Result, TState After)> DecideAndEvolve<TCommand, TEvent, TState>(Stream<TCommand, TEvent, TState> stream,
        Func<TState, TCommand> command, CancellationToken ct) where TEvent : class
    {
        var loaded = await Load(stream, ct);
        return await DecideAndEvolve(loaded, command(loaded.State), ct);
    }

    /// <summary>The refusal the command would get now, without appending: a batch checks every item before it appends any.</summary>
    public static Refusal? Check<TCommand, TEvent, TState>(Loaded<TCommand, TEvent, TState> loaded, TCommand command, Instant now)
        where TEvent : class =>
        loaded.Stream.Decider.Decide(command, loaded.State, now) is Decision<TEvent>.Refused r ? r.Refusal : null;

    private async Task<Loaded<TCommand, TEvent, TState>> ReadAsync<TCommand, TEvent, TState>(Stream<TCommand, TEvent, TState> stream, bool forWrite, CancellationToken ct)
        where TEvent : class
    {
        var snapshot = await session.ReadAsync(stream.Id, forWrite, ct);
        await ThrowIfAnswered(ct); // looked up with the read above: no round trip of its own
        return new Loaded<TCommand, TEvent, TState>(stream, stream.Fold(stream.Decider.Initial, snapshot.Events, serializer), snapshot);
    }

    private EventToAppend ToAppend<TEvent>(string streamId, TEvent @event, int index) where TEvent : class
    {
        var (type, data) = serializer.Serialize(@event);
        return new EventToAppend(metadata.EventId(streamId, index), type, data,
            new EventMetadata(metadata.CorrelationId, metadata.CausationId, metadata.Actor, metadata.SourceSystem, metadata.IdempotencyKey, now,
                TraceParent: LedgerTracing.CurrentTraceParent()), @event);
    }

    private static int IndexOf(IReadOnlyList<RecordedEvent> events, Guid eventId)
    {
        for (var i = events.Count - 1; i >= 0; i--)
            if (events[i].EventId == eventId) return i;
        return -1;
    }

    private CommandResult Replay(string streamId, IReadOnlyList<RecordedEvent> events, int landedAt, int offset)
    {
        // The earlier attempt appended events with ids offset..offset+n-1 in a row; answer with exactly those.
        var mine = new List<RecordedEvent>();
        for (var i = landedAt; i < events.Count && events[i].EventId == metadata.EventId(streamId, offset + i - landedAt); i++)
            mine.Add(events[i]);
        _appended[streamId] = offset + mine.Count;
        return new CommandResult.Appended(streamId, mine[^1].Revision, mine[^1].Position, mine.Select(e => e.Type).ToList(), Replayed: true);
    }
}
