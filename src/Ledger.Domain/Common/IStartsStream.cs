namespace Ledger.Domain.Common;

/// <summary>
/// A command that may be the first on its stream (drafting a quote, placing an order). Every other command needs its
/// stream to exist: the <see cref="Decider{TCommand,TEvent,TState}"/> refuses it as not found before its decider runs.
/// </summary>
public interface IStartsStream;
