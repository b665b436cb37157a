using System.Data.Common;
using NodaTime;
using Wolverine;
using Wolverine.Persistence.Durability;
using Wolverine.RDBMS;

namespace Ledger.Application.Commands;

/// <summary>Wolverine's inbox: the durable messages, kept in the ledger's PostgreSQL database.</summary>
public sealed class WolverineInbox(IMessageStore messages, WolverineOptions options)
{
    /// <summary>
    /// The "handled" mark of the message a handler runs, for its command unit to carry; null when the inbox does not hold
    /// the message (a message sent in memory) or it is marked already.
    /// </summary>
    public HandledMark? MarkFor(Envelope envelope) =>
        envelope is { Destination: not null, WasPersistedInInbox: true } && envelope.Status != EnvelopeStatus.Handled && messages is IMessageDatabase inbox
            ? new HandledMark(inbox, envelope, Duration.FromTimeSpan(options.Durability.KeepAfterMessageHandling))
            : null;
}

/// <summary>
/// Wolverine's "handled" mark of a durable message, written in the transaction of the command unit that carries out the
/// message (Wolverine's own <c>MarkIncomingEnvelopeAsHandledInTransactionAsync</c>, which its EF Core and Marten
/// integrations use the same way), so the effect and the mark commit once instead of twice (issue 13). After that commit
/// the envelope says Handled, and Wolverine skips its own update; a unit that does not commit leaves both undone, and the
/// message is handled again. Only for a handler whose unit is the last thing it does: a mark committed before later work
/// would let a crash skip that work.
/// </summary>
public sealed class HandledMark(IMessageDatabase inbox, Envelope envelope, Duration keep)
{
    internal Task WriteAsync(DbTransaction transaction, Instant now, CancellationToken ct) =>
        inbox.MarkIncomingEnvelopeAsHandledInTransactionAsync(transaction.Connection!, transaction, envelope, (now + keep).ToDateTimeOffset(), ct);

    internal void Committed() => envelope.Status = EnvelopeStatus.Handled;
}
