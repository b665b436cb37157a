using Ledger.Application.Commands;
using Ledger.Application.Quotes;
using Ledger.Domain.Quotes;
using Ledger.Domain.Common;

namespace Ledger.Application.Reactions;

/// <summary>A quote's validity end is a timeout: drafting it (or extending it) schedules a look at the end of its last valid day.</summary>
public static class QuoteExpiry
{
    public static readonly IReactor Reactor = new Reactor<QuoteCommand, QuoteEvent, QuoteState>(
        "quote-expiry", e => Streams.Quote(e.QuoteId), React, typeof(QuoteDrafted), typeof(QuoteValidityExtended));

    public static IEnumerable<Reaction> React(QuoteEvent @event, QuoteState before)
    {
        switch (@event)
        {
            case QuoteDrafted e:
                yield return new Reaction.Deliver(new ExpireQuoteWhenDue(e.QuoteId, QuoteState.ValidityEndOf(e.ValidUntil, e.TimeZone)));
                break;
            case QuoteValidityExtended e when before.Draft is { } draft:
                yield return new Reaction.Deliver(new ExpireQuoteWhenDue(e.QuoteId, QuoteState.ValidityEndOf(e.ValidUntil, draft.TimeZone)));
                break;
        }
    }
}
