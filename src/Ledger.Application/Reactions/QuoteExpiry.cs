using Ledger.Application.Commands;
using Ledger.Application.Quotes;
using Ledger.Domain.Quotes;
using Ledger.Domain.Common;

namespace Ledger.Application.Reactions;

/// <summary>
/// A quote's validity end is a timeout: every event that sets its last valid day (drafting it, extending it: each
/// <see cref="ISetsQuoteValidity"/>) schedules a look at the end of that day in the quote's time zone.
/// </summary>
public static class QuoteExpiry
{
    private static readonly Type[] SetsValidity = typeof(QuoteEvent).Assembly.GetTypes()
        .Where(t => t is { IsAbstract: false } && typeof(QuoteEvent).IsAssignableFrom(t) && typeof(ISetsQuoteValidity).IsAssignableFrom(t))
        .ToArray();

    public static readonly IReactor Reactor = new Reactor<QuoteCommand, QuoteEvent, QuoteState>(
        "quote-expiry", e => Streams.Quote(e.QuoteId), React, SetsValidity);

    public static IEnumerable<Reaction> React(QuoteEvent @event, QuoteState before)
    {
        // The draft carries its own zone; a later event moves the day of a quote already drafted in one.
        if (@event is ISetsQuoteValidity moved && ((@event as QuoteDrafted)?.TimeZone ?? before.Draft?.TimeZone) is { } timeZone)
            yield return new Reaction.Deliver(new ExpireQuoteWhenDue(@event.QuoteId, QuoteState.ValidityEndOf(moved.ValidUntil, timeZone)));
    }
}
