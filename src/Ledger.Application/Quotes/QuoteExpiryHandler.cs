using Ledger.Application.Commands;
using Ledger.Domain.Quotes;
using NodaTime;
using Wolverine;

namespace Ledger.Application.Quotes;

/// <summary>Durable, scheduled at the end of a quote's validity: expire it if it is still open then.</summary>
public sealed record ExpireQuoteWhenDue(string QuoteId);

/// <summary>Quote expiry runs as scheduled work, never on reads: one durable message per quote, due when its validity ends.</summary>
public static class QuoteExpiryHandler
{
    public static async Task ScheduleAsync(IMessageBus bus, QuoteState quote)
    {
        if (quote is { Draft: { } draft, ValidityEnds: { } due })
            await bus.ScheduleAsync(new ExpireQuoteWhenDue(draft.QuoteId), due.ToDateTimeOffset());
    }

    public static async Task Handle(ExpireQuoteWhenDue message, StreamCommands streams, IMessageBus bus, IClock clock, CancellationToken ct)
    {
        var result = await streams.Send(new ExpireQuote(message.QuoteId), CommandMetadata.ByLedger($"expire-{message.QuoteId}"), ct);
        // Delivered a little before the quote's own clock says it is over: look again just after.
        if (result is CommandResult.Refused { Refusal.Code: "quote.still-valid" }
            && await streams.LoadQuote(message.QuoteId, ct) is { ValidityEnds: { } due })
            await bus.ScheduleAsync(message, Instant.Max(due, clock.GetCurrentInstant()).Plus(Duration.FromSeconds(1)).ToDateTimeOffset());
    }
}
