using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Ledger.Application.Commands;
using Ledger.EventStore;
using Ledger.EventStore.Writing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using System.Threading.Channels;
using Npgsql;
using NodaTime;
using Wolverine;
using Wolverine.RDBMS;
using Wolverine.Runtime;

namespace Ledger.Application.Reactions;

/// <summary>
/// Runs the reactors over the event log (ADR/0017): one subscription to <c>$all</c> through the event store port (so the
/// same in both backends), read in order from a saved position. Each reacting event's commands are decided in one unit keyed
/// by reactor and event, so a repeat after a crash finds its stored answer (PostgreSQL) or its derived event ids (EventStoreDB)
/// and appends nothing twice; its messages go to Wolverine's durable queues, whose handlers are idempotent. Events of one
/// stream are reacted to in log order by one of <see cref="ReactionSettings.Lanes"/> lanes (by stream), so reactions to
/// different streams overlap. One node runs it at a time (a PostgreSQL advisory lock); a reaction that keeps failing is
/// parked, visible, and the log moves on.
/// </summary>
public sealed class ReactionProcessor(
    IEventStore store, EventSerializer serializer, CommandRunner commands, IServiceScopeFactory scopes, ReactionStore reactionStore, NpgsqlDataSource db,
    IReadOnlyList<IReactor> reactors, ReactionSettings settings, ReactionMetrics metrics, IClock clock, ILogger<ReactionProcessor> log) : BackgroundService
{
    public const string CheckpointName = "reactions";

    /// <summary>The advisory lock the leader holds: "ledger-re" in ASCII.</summary>
    private const long LeaderLock = 0x6c65646765722d72;

    public const int AttemptsBeforeParking = 3;

    private volatile Progress? _progress;

    /// <summary>
    /// Reactions the lanes ran that had nothing to do, by key: they store no answer, so without this the sweep would read
    /// their streams again to find out once more. The sweep takes each out as it passes it.
    /// </summary>
    private readonly ConcurrentDictionary<string, byte> _nothingToDo = new(StringComparer.Ordinal);

    /// <summary>The position every event up to which has been reacted to (or passed over): for lag, health and the checkpoint.</summary>
    public long Position => _progress?.Safe ?? 0;

    /// <summary>The position of the last event the subscription has read: handed to its lane, or passed over.</summary>
    public long Read => _progress?.Read ?? 0;

    /// <summary>Whether every event in the log so far has been reacted to (and so every reaction's commands committed).</summary>
    public async Task<bool> IsCaughtUpAsync(CancellationToken ct)
    {
        await foreach (var _ in store.ReadAllAsync(new GlobalPosition((ulong)Position), 1, ct)) return false;
        return true;
    }

    protected override Task ExecuteAsync(CancellationToken stopping) =>
        Leadership.RunWhileLeaderAsync(db, LeaderLock, RunAsync, log, "The reaction processor stopped; it starts again from its saved position.", stopping);

    /// <summary>An event some reactor is concerned with, read, on its way to its lane.</summary>
    private sealed record Work(RecordedEvent Recorded, object Event, IReadOnlyList<IReactor> Reactors);

    private async Task RunAsync(CancellationToken stopping)
    {
        var saved = await reactionStore.PositionAsync(CheckpointName, stopping);
        var progress = _progress = new Progress(saved);
        // A lane that fails outside a reaction (the database gone while parking) stops the whole run: it restarts from the checkpoint.
        using var running = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var lanes = Enumerable.Range(0, Math.Max(1, settings.Lanes))
            .Select(_ => Channel.CreateBounded<Work>(new BoundedChannelOptions(256) { SingleReader = true, SingleWriter = true })).ToList();
        var working = lanes.Select(lane => Task.Run(() => WorkAsync(lane.Reader, progress, running), CancellationToken.None)).ToList();
        // The position is saved every 200 ms rather than per event: what a crash repeats finds its answers.
        var saving = Task.Run(() => SaveEveryAsync(progress, saved, running.Token), CancellationToken.None);
        var sweeping = Task.Run(() => SweepEveryAsync(saved, running.Token), CancellationToken.None);
        try
        {
            await foreach (var recorded in store.SubscribeToAllAsync(new GlobalPosition((ulong)saved), running.Token))
            {
                var position = (long)recorded.Position.Value;
                // An event no reactor reacts to still goes to its lane when some reactor folds its stream: the lane keeps that
                // stream's state current, so the next reaction on it reads nothing (LaneStates).
                if (Concerned(recorded) is not { } concerned)
                {
                    progress.Passed(position);
                    continue;
                }
                progress.Started(position);
                // One stream, one lane: a stream's events are reacted to in log order, while a slow reaction holds up only its lane.
                var lane = (int)((uint)StringComparer.Ordinal.GetHashCode(recorded.StreamId) % (uint)lanes.Count);
                await lanes[lane].Writer.WriteAsync(new Work(recorded, concerned.Event, concerned.Reactors), running.Token);
            }
        }
        finally
        {
            foreach (var lane in lanes) lane.Writer.TryComplete();
            await running.CancelAsync();
            await Task.WhenAll(working.Append(saving).Append(sweeping)).ContinueWith(_ => { }, CancellationToken.None);
            await reactionStore.SavePositionAsync(CheckpointName, progress.Safe, CancellationToken.None);
        }
    }

    private async Task WorkAsync(ChannelReader<Work> lane, Progress progress, CancellationTokenSource running)
    {
        try
        {
            var states = new LaneStates(serializer);
            await foreach (var first in lane.ReadAllAsync(running.Token))
            {
                // What queued behind the first event while the lane was busy is reacted to in one transaction (group commit).
                var group = new List<Work> { first };
                while (group.Count < settings.GroupSize && lane.TryRead(out var next)) group.Add(next);
                if (group.Count == 1 || !await ReactTogetherAsync(group, states, running.Token))
                    foreach (var work in group)
                        await ReactAloneAsync(work, states, running.Token);
                foreach (var work in group) progress.Done((long)work.Recorded.Position.Value);
            }
        }
        catch (OperationCanceledException) when (running.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            log.LogError(e, "A reaction lane failed; the processor restarts from its saved position.");
            await running.CancelAsync();
        }
    }

    private async Task ReactAloneAsync(Work work, LaneStates states, CancellationToken ct)
    {
        foreach (var reactor in work.Reactors)
            if (!await ReactWithAttemptsAsync(reactor, work.Recorded, work.Event, ct, states))
                _nothingToDo.TryAdd(CommandMetadata.ForReaction(reactor.Name, work.Recorded).IdempotencyKey, 0);
        FoldPassed(work, states);
    }

    /// <summary>Every stream kind the reactors fold moves on by this event, reacted to or not.</summary>
    private void FoldPassed(Work work, LaneStates states)
    {
        foreach (var reactor in reactors)
            if (reactor.Folds(work.Event) && reactor.StreamOf(work.Event) is var stream && states.Before(stream, work.Recorded.Revision) is { } before)
                states.Advance(stream, work.Recorded, before);
    }

    /// <summary>
    /// The group's reactions in one transaction, each under its own key, committed together (ADR/0017): one commit instead
    /// of one per reaction. False when the backend cannot share a transaction or anything in the group failed; nothing of
    /// it committed then, and the caller runs each reaction alone, with its own attempts and parking. The lane's states
    /// need no undoing: they follow the log's events, which are the same whoever runs the reactions.
    /// </summary>
    private async Task<bool> ReactTogetherAsync(IReadOnlyList<Work> group, LaneStates states, CancellationToken ct)
    {
        if (commands.OpenGroup() is not { } writes) return false;
        await using var together = new Together(writes);
        var done = new List<(IReactor Reactor, RecordedEvent Recorded, bool Reacted)>();
        try
        {
            foreach (var work in group)
            {
                foreach (var reactor in work.Reactors)
                    done.Add((reactor, work.Recorded, await ReactAsync(reactor, work.Recorded, work.Event, ct, states, together)));
                FoldPassed(work, states);
            }
            await writes.CommitAsync(ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            log.LogDebug(e, "A group of {Count} reactions failed together; each runs again alone.", group.Count);
            return false;
        }
        foreach (var outbox in together.Outboxes) await outbox.FlushOutgoingMessagesAsync();
        foreach (var (reactor, recorded, reacted) in done)
        {
            metrics.Reacted(reactor.Name, clock.GetCurrentInstant() - recorded.Metadata.RecordedAt);
            if (!reacted) _nothingToDo.TryAdd(CommandMetadata.ForReaction(reactor.Name, recorded).IdempotencyKey, 0);
        }
        metrics.Grouped(group.Count);
        return true;
    }

    /// <summary>A group's shared transaction, with the message scopes its reactions enlisted in it: they are flushed after its commit.</summary>
    private sealed class Together(IWriteGroup writes) : IAsyncDisposable
    {
        public IWriteGroup Writes => writes;
        public List<AsyncServiceScope> Scopes { get; } = [];
        public List<MessageContext> Outboxes { get; } = [];

        public async ValueTask DisposeAsync()
        {
            await writes.DisposeAsync();
            foreach (var scope in Scopes) await scope.DisposeAsync();
        }
    }

    private async Task SaveEveryAsync(Progress progress, long saved, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                var safe = progress.Safe;
                if (safe == saved) continue;
                await reactionStore.SavePositionAsync(CheckpointName, safe, ct);
                saved = safe;
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Where the processor is: every event up to <see cref="Safe"/> has been reacted to. Events go to their lanes in log
    /// order and finish out of order; the safe position is the event read just before the oldest one still in flight.
    /// Always an event's own position, never "one less": in EventStoreDB a position between events names no record, and
    /// the server refuses a read from it.
    /// </summary>
    internal sealed class Progress(long start)
    {
        // In flight: each event's position, with the position of the event read just before it.
        private readonly SortedDictionary<long, long> _inFlight = [];
        private long _read = start;

        public long Safe
        {
            get { lock (_inFlight) return _inFlight.Count == 0 ? _read : _inFlight.First().Value; }
        }

        public long Read
        {
            get { lock (_inFlight) return _read; }
        }

        public void Started(long position)
        {
            lock (_inFlight) { _inFlight.Add(position, _read); _read = position; }
        }

        public void Passed(long position)
        {
            lock (_inFlight) _read = position;
        }

        public void Done(long position)
        {
            lock (_inFlight) _inFlight.Remove(position);
        }
    }

    /// <summary>
    /// A second look, a few seconds behind: reads again what the subscription has passed and runs every reaction that stored
    /// no answer. The subscription once passed committed events under load (a feed defect, fixed: ADR/0017); this net makes
    /// a skip of any cause repaired and visible, not silent. Reactions it finds are counted and logged as swept.
    /// </summary>
    private async Task SweepEveryAsync(long from, CancellationToken ct)
    {
        var swept = from;
        using var timer = new PeriodicTimer(SweepInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                var until = Position;
                var pending = new List<(IReactor Reactor, RecordedEvent Recorded, object Event)>();
                await foreach (var recorded in store.ReadAllAsync(new GlobalPosition((ulong)swept), int.MaxValue, ct))
                {
                    if ((long)recorded.Position.Value > until) break;
                    if (Concerned(recorded) is { } concerned)
                        pending.AddRange(concerned.Reactors.Select(r => (r, recorded, concerned.Event)));
                    swept = (long)recorded.Position.Value;
                }
                if (pending.Count == 0) continue;
                var answered = await reactionStore.AnsweredAsync(pending.Select(p => CommandMetadata.ForReaction(p.Reactor.Name, p.Recorded).IdempotencyKey), ct);
                // A parked reaction has no answer either; it waits for its retry, not for the sweep.
                var parked = (await reactionStore.ParkedAsync(ct)).Select(p => (p.Reactor, p.EventId)).ToHashSet();
                foreach (var (reactor, recorded, @event) in pending)
                {
                    var key = CommandMetadata.ForReaction(reactor.Name, recorded).IdempotencyKey;
                    if (_nothingToDo.TryRemove(key, out _) || answered.Contains(key) || parked.Contains((reactor.Name, recorded.EventId))) continue;
                    // No answer is also what a reaction with nothing to do leaves: only one that had something to do was passed.
                    if (!await ReactWithAttemptsAsync(reactor, recorded, @event, ct)) continue;
                    log.LogWarning("Reaction {Reactor} to {EventId} at {Position} was passed by the subscription; the sweep ran it.",
                        reactor.Name, recorded.EventId, recorded.Position.Value);
                    metrics.Swept(reactor.Name);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>How often the sweep looks again at what the subscription passed.</summary>
    public static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The event read, with the reactors it triggers (maybe none), when some reactor reacts to it or folds its stream; null
    /// when none does, or the ledger cannot read it.
    /// </summary>
    private (object Event, IReadOnlyList<IReactor> Reactors)? Concerned(RecordedEvent recorded)
    {
        if (!serializer.TryRead(recorded, out var @event, out var reason))
        {
            // Another tool's event, or one edited by hand: nothing the ledger reacts to (verification reports it).
            if (serializer.Registry.Knows(recorded.Type))
                log.LogWarning("Event {EventId} ({Type}) at {Position} does not read as a ledger event; no reaction to it: {Reason}",
                    recorded.EventId, recorded.Type, recorded.Position.Value, reason);
            return null;
        }
        return reactors.Any(r => r.Folds(@event)) ? (@event, reactors.Where(r => r.ReactsTo(@event)).ToList()) : null;
    }

    /// <summary>Whether the reaction had something to do (and did it, or was parked).</summary>
    /// <param name="states">The lane's held stream states (the subscription's lanes; none for the sweep and retries, which read).</param>
    private async Task<bool> ReactWithAttemptsAsync(IReactor reactor, RecordedEvent recorded, object @event, CancellationToken ct, LaneStates? states = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var reacted = await ReactAsync(reactor, recorded, @event, ct, states);
                metrics.Reacted(reactor.Name, clock.GetCurrentInstant() - recorded.Metadata.RecordedAt);
                return reacted;
            }
            catch (Exception e) when (!ct.IsCancellationRequested && DatabaseErrors.IsUnavailable(e))
            {
                // Not the reaction's fault: wait for the database, however long, and lose nothing.
                log.LogWarning("Reaction {Reactor} to {EventId} waits for the database: {Error}", reactor.Name, recorded.EventId, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(attempt, 10)), ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested && attempt < AttemptsBeforeParking)
            {
                log.LogWarning(e, "Reaction {Reactor} to {EventId} failed (attempt {Attempt}); trying again.", reactor.Name, recorded.EventId, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                log.LogError(e, "Reaction {Reactor} to {EventId} failed {Attempts} times; parked.", reactor.Name, recorded.EventId, attempt);
                await reactionStore.ParkAsync(reactor.Name, recorded, e, attempt, ct);
                metrics.Parked(reactor.Name);
                return true;
            }
        }
    }

    /// <summary>Runs a parked reaction again, on the event it was parked with; throws when it fails again.</summary>
    public async Task RetryAsync(ParkedReaction parked, CancellationToken ct)
    {
        var reactor = reactors.SingleOrDefault(r => r.Name == parked.Reactor)
                      ?? throw new InvalidOperationException($"No reactor is named {parked.Reactor} any more.");
        RecordedEvent? recorded = null;
        // Found in its stream by id: "the event after position - 1" holds in PostgreSQL's sequence, but an EventStoreDB
        // position one byte before an event names no record, and the server refuses the read.
        await foreach (var e in store.ReadWholeStreamAsync(parked.StreamId, ct))
            if (e.EventId == parked.EventId)
            {
                recorded = e;
                break;
            }
        if (recorded is null || recorded.Position.Value != (ulong)parked.Position)
            throw new InvalidOperationException($"Event {parked.EventId} is no longer at position {parked.Position}.");
        await ReactAsync(reactor, recorded, serializer.Read(recorded), ct);
    }

    /// <summary>
    /// One reaction: the state before the event, the reactor's answer, and its commands, stored answer and durable messages
    /// in one transaction (Wolverine's outbox), so a crash can lose none of them without losing all: the repeat then runs
    /// the whole reaction again. The messages leave once the transaction has committed. False when the reactor had nothing to do.
    /// </summary>
    public Task<bool> ReactAsync(IReactor reactor, RecordedEvent recorded, object @event, CancellationToken ct) => ReactAsync(reactor, recorded, @event, ct, null);

    /// <param name="together">The group whose transaction the reaction joins (its messages are flushed after the group's commit), if any.</param>
    private async Task<bool> ReactAsync(IReactor reactor, RecordedEvent recorded, object @event, CancellationToken ct, LaneStates? states,
        Together? together = null)
    {
        // A child of the span that appended the event: the trace goes on from the request that caused it.
        using var activity = LedgerTracing.Source.StartActivity("ledger.reaction", ActivityKind.Consumer, LedgerTracing.ParentFrom(recorded.Metadata.TraceParent));
        activity?.SetTag("ledger.reactor", reactor.Name);
        activity?.SetTag("ledger.event.type", recorded.Type);
        activity?.SetTag("ledger.event.id", recorded.EventId.ToString());
        var stream = reactor.StreamOf(@event);
        var before = states?.Before(stream, recorded.Revision) ?? stream.Fold(stream.Initial, await EventsBeforeAsync(stream.Id, recorded.Revision, ct), serializer);
        states?.Advance(stream, recorded, before);
        var reactions = reactor.React(@event, before);

        if (reactions.Count == 0) return false;
        var decisions = reactions.OfType<Reaction.Decide>().ToList();
        var deliveries = reactions.OfType<Reaction.Deliver>().ToList();
        // Every reaction stores an answer under its key, those with only messages too: that is how a repeat knows it ran,
        // and how the sweep (SweepEveryAsync) finds one the subscription passed without running.
        var metadata = CommandMetadata.ForReaction(reactor.Name, recorded);
        // Wolverine's message context is scoped: one per attempt, so that what a lost race enlisted is dropped with it. In a
        // group, the group holds them until its commit.
        var attempts = together?.Scopes ?? [];
        var key = new AnswerKey("ledger", metadata.IdempotencyKey);
        async Task<(List<CommandResult> Results, MessageContext? Messages)> CarryOut(CommandUnit unit)
        {
            // With commands, the first stream's read looks the answer up; with messages only, look it up alone.
            if (decisions.Count == 0) await unit.ThrowIfAnswered(ct);
            var results = new List<CommandResult>();
            foreach (var decision in decisions) results.Add(await unit.Decide(decision, ct));
            MessageContext? messages = null;
            if (deliveries.Count > 0)
            {
                attempts.Add(scopes.CreateAsyncScope());
                messages = (MessageContext)attempts[^1].ServiceProvider.GetRequiredService<IMessageContext>();
                await EnlistAsync(messages, await unit.TransactionAsync(ct));
                await SendAsync(messages, deliveries);
            }
            return (results, messages);
        }
        Task<StoredAnswer?> AnswerOf((List<CommandResult> Results, MessageContext? Messages) done) =>
            Task.FromResult<StoredAnswer?>(Answer(metadata.IdempotencyKey, decisions, done.Results));
        try
        {
            if (together is not null)
            {
                if ((await commands.RunInGroupAsync(together.Writes, metadata, key, CarryOut, AnswerOf, ct)).Messages is { } enlisted)
                    together.Outboxes.Add(enlisted);
                return true;
            }
            var outbox = await commands.RunAsync(metadata, key, CarryOut, AnswerOf, Durability.Derived, ct);
            if (outbox.Messages is { } committed) await committed.FlushOutgoingMessagesAsync();
        }
        catch (AlreadyAnsweredException)
        {
            // Done before, or by the sweep: its answer stands, and its messages were committed with it. They go again
            // (their handlers are idempotent), so that a repeat never depends on how far the first run got.
            if (deliveries.Count > 0)
            {
                attempts.Add(scopes.CreateAsyncScope());
                await SendAsync(attempts[^1].ServiceProvider.GetRequiredService<IMessageBus>(), deliveries);
            }
        }
        finally
        {
            if (together is null)
                foreach (var scope in attempts) await scope.DisposeAsync();
        }
        return true;
    }

    /// <summary>Wolverine's outbox on the unit's own transaction: the envelopes are written in it and commit or roll back with it.</summary>
    private static Task EnlistAsync(MessageContext messages, System.Data.Common.DbTransaction transaction) =>
        messages.Storage is IMessageDatabase database
            ? messages.EnlistInOutboxAsync(new DatabaseEnvelopeTransaction(database, transaction))
            : throw new InvalidOperationException("Wolverine's message store is not the PostgreSQL one: reactions cannot put their messages in its outbox.");

    private static async Task SendAsync(IMessageBus bus, IEnumerable<Reaction.Deliver> deliveries)
    {
        foreach (var delivery in deliveries)
        {
            if (delivery.Message is IDueMessage { DueAt: var due }) await bus.ScheduleAsync(delivery.Message, due.ToDateTimeOffset());
            else await bus.PublishAsync(delivery.Message);
        }
    }

    private async Task<IReadOnlyList<RecordedEvent>> EventsBeforeAsync(string streamId, long revision, CancellationToken ct)
    {
        if (revision == 0) return [];
        return await store.ReadStreamAsync(streamId, ReadDirection.Forwards, StreamRevision.Start, checked((int)revision), ct) is ReadStreamResult.Found found
            ? found.Events
            : [];
    }

    /// <summary>What each command came to, stored under the reaction's key (and logged when a command was refused).</summary>
    private StoredAnswer Answer(string key, IReadOnlyList<Reaction.Decide> decisions, IReadOnlyList<CommandResult> results)
    {
        var outcomes = decisions.Zip(results, (d, r) => new
        {
            Command = d.Command.GetType().Name,
            r.Outcome,
        }).ToList();
        foreach (var refused in results.OfType<CommandResult.Refused>())
            log.LogInformation("Reaction {Key}: refused {Code}: {Message}", key, refused.Refusal.Code, refused.Refusal.Message);
        return new StoredAnswer(key, 200, "application/json", null, JsonSerializer.SerializeToUtf8Bytes(outcomes));
    }
}

/// <summary>
/// The processor's meters: reactions run and parked, the lag from an event to its reaction, and (from the latest
/// <see cref="ReactionStatus"/> read) how far behind the log the processor is and how much is stuck.
/// </summary>
/// <param name="Lanes">How many reactions run at once, each lane taking the events of its streams in log order (ADR/0017).</param>
/// <param name="GroupSize">At most how many of a lane's queued events are reacted to in one transaction (1: each alone).</param>
public sealed record ReactionSettings(int Lanes, int GroupSize)
{
    public static ReactionSettings Default { get; } = new(4, 8);
}

public sealed class ReactionMetrics : IDisposable
{
    public const string MeterName = "Ledger.Reactions";
    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _reacted;
    private readonly Counter<long> _parked;
    private readonly Histogram<double> _lag;
    private readonly Counter<long> _swept;
    private readonly Histogram<int> _grouped;
    private volatile ReactionStatus? _latest;

    public ReactionMetrics()
    {
        _reacted = _meter.CreateCounter<long>("ledger.reactions", "{reaction}", "Reactions carried out, per reactor.");
        _parked = _meter.CreateCounter<long>("ledger.reactions.parked", "{reaction}", "Reactions parked after failing, per reactor.");
        _grouped = _meter.CreateHistogram<int>("ledger.reactions.group", "{event}", "Events a lane reacted to in one shared transaction.");
        _swept = _meter.CreateCounter<long>("ledger.reactions.swept", "{reaction}", "Reactions the subscription passed and the sweep ran (ADR/0017).");
        _lag = _meter.CreateHistogram<double>("ledger.reaction.lag", "s", "From the decision that recorded an event to its reaction's commit.");
        _meter.CreateObservableGauge("ledger.reactions.behind", () => _latest?.EventsBehind ?? 0L, "{event}", "Events the reaction processor has not reacted to yet.");
        _meter.CreateObservableGauge("ledger.reactions.stuck", () => (long)(_latest?.Parked.Count ?? 0), "{reaction}", "Parked reactions waiting for a retry.");
        _meter.CreateObservableGauge("ledger.messages.dead_letters", () => _latest?.DeadLetters ?? 0L, "{message}", "Durable messages Wolverine gave up on.");
    }

    public void Record(ReactionStatus status) => _latest = status;

    public void Reacted(string reactor, Duration lag)
    {
        _reacted.Add(1, new KeyValuePair<string, object?>("reactor", reactor));
        _lag.Record(lag.TotalSeconds, new KeyValuePair<string, object?>("reactor", reactor));
    }

    public void Parked(string reactor) => _parked.Add(1, new KeyValuePair<string, object?>("reactor", reactor));

    public void Swept(string reactor) => _swept.Add(1, new KeyValuePair<string, object?>("reactor", reactor));

    public void Grouped(int events) => _grouped.Record(events);

    public void Dispose() => _meter.Dispose();
}
