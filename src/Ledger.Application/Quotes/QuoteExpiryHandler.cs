using Ledger.Application.Commands;
using Ledger.Application.Reactions;
using Ledger.Domain.Quotes;
using Ledger.EventStore.Writing;
using NodaTime;
using Wolverine;
using Ledger.Domain.Common;

namespace Ledger.Application.Quotes;

/// <summary>Durable, scheduled by <see cref="QuoteExpiry"/> at the end of a quote's validity: expire it if it is still open then.</summary>
public sealed record ExpireQuoteWhenDue(QuoteId QuoteId, Instant DueAt) : IDueMessage;

/// <summary>Quote expiry runs as scheduled work, never on reads: one durable message per quote (and per extension), due when its validity ends.</summary>
public static class QuoteExpiryHandler
{
    public static async Task Handle(ExpireQuoteWhenDue message, CommandRunner commands, IMessageBus bus, IClock clock, CancellationToken ct)
    {
        QuoteState? quote = null;
        var result = await commands.RunAsync(CommandMetadata.ByLedger($"expire-{message.QuoteId}"), unit =>
            unit.Decide(Streams.Quote(message.QuoteId), state => { quote = state; return new ExpireQuote(message.QuoteId); }, ct), Durability.Derived, ct);
        // Delivered a little before the quote's own clock says it is over (or extended meanwhile, and its own message follows): look again just after.
        if (result is CommandResult.Refused { Refusal.Code: "quote.still-valid" } && quote is { ValidityEnds: { } due } && due == message.DueAt)
            await bus.ScheduleAsync(message, Instant.Max(due, clock.GetCurrentInstant()).Plus(Duration.FromSeconds(1)).ToDateTimeOffset());
    }
}
