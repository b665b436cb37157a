namespace Ledger.Domain.Common;

/// <summary>How an API answers a refusal: bad input, a missing thing, a clash with current state, or a broken business rule.</summary>
public enum RefusalKind { Validation, NotFound, Conflict, RuleViolation }

/// <summary>Why a command was refused: a stable code (e.g. <c>quote.not-in-draft</c>), words for people, and the offending field.</summary>
public sealed record Refusal(RefusalKind Kind, string Code, string Message, string? Field = null);

/// <summary>What a decider answers: the events to append (none: already done), or a refusal.</summary>
public abstract record Decision<TEvent>
{
    private Decision() { }

    public sealed record Accepted(IReadOnlyList<TEvent> Events) : Decision<TEvent>;

    public sealed record Refused(Refusal Refusal) : Decision<TEvent>;

    public static Decision<TEvent> Of(params TEvent[] events) => new Accepted(events);

    /// <summary>The command is already satisfied: nothing to append, and that is a success.</summary>
    public static readonly Decision<TEvent> Nothing = new Accepted([]);

    public static Decision<TEvent> Refuse(RefusalKind kind, string code, string message, string? field = null) =>
        new Refused(new Refusal(kind, code, message, field));

    public static Decision<TEvent> Invalid(string field, string code, string message) =>
        Refuse(RefusalKind.Validation, code, message, field);

    public static implicit operator Decision<TEvent>(Refusal refusal) => new Refused(refusal);
}
