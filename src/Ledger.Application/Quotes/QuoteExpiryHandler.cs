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
    /// <summary>Due at the start of the day after <paramref name="validUntil"/> in the quote's time zone, as <see cref="QuoteState.ValidityEnds"/> says.</summary>
    public static async Task ScheduleAsync(IMessageBus bus, string quoteId, LocalDate validUntil, string timeZone) =>
        await bus.ScheduleAsync(new ExpireQuoteWhenDue(quoteId), QuoteState.ValidityEndOf(validUntil, timeZone).ToDateTimeOffset());

    public static async Task Handle(ExpireQuoteWhenDue message, CommandRunner commands, IMessageBus bus, IClock clock, CancellationToken ct)
    {
        QuoteState? quote = null;
        var result = await commands.RunAsync(CommandMetadata.ByLedger($"expire-{message.QuoteId}"), unit =>
            unit.Decide(Streams.Quote(message.QuoteId), state => { quote = state; return new ExpireQuote(message.QuoteId); }, ct), ct);
        // Delivered a little before the quote's own clock says it is over: look again just after.
        if (result is CommandResult.Refused { Refusal.Code: "quote.still-valid" } && quote is { ValidityEnds: { } due })
            await bus.ScheduleAsync(message, Instant.Max(due, clock.GetCurrentInstant()).Plus(Duration.FromSeconds(1)).ToDateTimeOffset());
    }
}
