using NodaTime;

namespace Ledger.Domain.Common;

/// <summary>
/// One stream's decider as a value (Chassaing's Decider): the initial state, how an event moves the state on, and
/// how a command is decided against the state at an instant. One shape for every stream, so the application layer
/// and the specs drive all of them through one generic path.
/// </summary>
/// <param name="DecideOnExisting">The stream's rules; it runs once the stream is known to exist or the command starts it.</param>
/// <param name="Exists">Whether the state holds the stream's first event.</param>
/// <param name="NotFound">What a command that needs the stream answers when it does not exist; null: every command may start it.</param>
public sealed record Decider<TCommand, TEvent, TState>(
    TState Initial,
    Func<TState, TEvent, TState> Evolve,
    Func<TCommand, TState, Instant, Decision<TEvent>> DecideOnExisting,
    Func<TState, bool> Exists,
    Func<TCommand, Refusal>? NotFound)
{
    /// <summary>Decides at <paramref name="now"/>: a command that needs its stream (not <see cref="IStartsStream"/>) is refused while it is missing.</summary>
    public Decision<TEvent> Decide(TCommand command, TState state, Instant now) =>
        NotFound is not null && command is not IStartsStream && !Exists(state)
            ? NotFound(command)
            : DecideOnExisting(command, state, now);

    /// <summary>The state a stream's events make; state is always derived, never stored beside them.</summary>
    public TState Fold(IEnumerable<TEvent> events) => events.Aggregate(Initial, Evolve);

    /// <summary>Folds the history, then decides: what a command handler does between loading and appending.</summary>
    public Decision<TEvent> Handle(IEnumerable<TEvent> history, TCommand command, Instant now) => Decide(command, Fold(history), now);
}
