using Ledger.Application.Commands;
using Ledger.EventStore;

namespace Ledger.Application.Reactions;

/// <summary>
/// A rule that spans streams, as a pure function (ADR/0017): given an event and the state its own stream was in just
/// before it, what must follow. It never reads or writes; the processor loads the state and carries the reactions out.
/// </summary>
public interface IReactor
{
    /// <summary>Stable: part of the key every reaction's command is deduplicated by.</summary>
    string Name { get; }

    /// <summary>Whether this event can cause anything, decided from its type alone, so other events cost no read.</summary>
    bool ReactsTo(object @event);

    /// <summary>Whether the event is one of the kind of stream this reactor folds (any of its events, not only its triggers).</summary>
    bool Folds(object @event);

    /// <summary>The stream whose state before the event <see cref="React"/> needs: the event's own.</summary>
    StreamRef StreamOf(object @event);

    IReadOnlyList<Reaction> React(object @event, object stateBefore);

    /// <summary>The state of the event's stream after <paramref name="history"/>: how a spec gives a reactor its state.</summary>
    object Fold(object @event, IEnumerable<object> history);
}

/// <summary>A stream by name with the fold that makes its state: what the processor reads for a reactor.</summary>
public sealed record StreamRef(string Id, object Initial, Func<object, IEnumerable<RecordedEvent>, EventSerializer, object> Fold);

/// <summary>A reactor over the events of one kind of stream.</summary>
public sealed class Reactor<TCommand, TEvent, TState>(
    string name,
    Func<TEvent, Stream<TCommand, TEvent, TState>> streamOf,
    Func<TEvent, TState, IEnumerable<Reaction>> react,
    params Type[] triggers) : IReactor where TEvent : class where TState : notnull
{
    public string Name => name;

    public bool ReactsTo(object @event) => @event is TEvent && triggers.Contains(@event.GetType());

    public bool Folds(object @event) => @event is TEvent;

    public StreamRef StreamOf(object @event)
    {
        var stream = streamOf((TEvent)@event);
        return new StreamRef(stream.Id, stream.Decider.Initial!, (state, events, serializer) => stream.Fold((TState)state, events, serializer)!);
    }

    public IReadOnlyList<Reaction> React(object @event, object stateBefore) => react((TEvent)@event, (TState)stateBefore).ToList();

    public object Fold(object @event, IEnumerable<object> history)
    {
        var decider = streamOf((TEvent)@event).Decider;
        return history.Cast<TEvent>().Aggregate(decider.Initial, decider.Evolve)!;
    }
}
