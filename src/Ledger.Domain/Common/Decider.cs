using NodaTime;

namespace Ledger.Domain.Common;

/// <summary>
/// One stream's decider as a value (Chassaing's Decider): the initial state, how an event moves the state on, and
/// how a command is decided against the state at an instant. One shape for every stream, so the application layer
/// and the specs drive all of them through one generic path.
/// </summary>
public sealed record Decider<TCommand, TEvent, TState>(
    TState Initial,
    Func<TState, TEvent, TState> Evolve,
    Func<TCommand, TState, Instant, Decision<TEvent>> Decide)
{
    /// <summary>The state a stream's events make; state is always derived, never stored beside them.</summary>
    public TState Fold(IEnumerable<TEvent> events) => events.Aggregate(Initial, Evolve);

    /// <summary>Folds the history, then decides: what a command handler does between loading and appending.</summary>
    public Decision<TEvent> Handle(IEnumerable<TEvent> history, TCommand command, Instant now) => Decide(command, Fold(history), now);
}
