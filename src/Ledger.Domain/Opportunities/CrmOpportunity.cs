using Ledger.Domain.Common;
using Ledger.Domain.Quotes;
using NodaTime;

namespace Ledger.Domain.Opportunities;

[Closed]
public abstract record CrmOpportunityCommand(string Crm, string OpportunityId);

/// <param name="SupersedesQuoteId">The live quote the new one replaces (it is withdrawn in the same unit); null: there must be none.</param>
/// <param name="LiveQuoteStatus">The status of the opportunity's last quote, as it is now; null when it has none.</param>
public sealed record OpenOpportunityQuote(string Crm, string OpportunityId, QuoteId QuoteId, QuoteId? SupersedesQuoteId, QuoteStatus? LiveQuoteStatus)
    : CrmOpportunityCommand(Crm, OpportunityId);

[Closed]
public abstract record CrmOpportunityEvent(string Crm, string OpportunityId);

/// <summary>A quote became the opportunity's live quote, replacing <paramref name="SupersededQuoteId"/> when one was live.</summary>
[EventName("crm-opportunity-quote-opened.v1")]
public sealed record CrmOpportunityQuoteOpened(string Crm, string OpportunityId, QuoteId QuoteId, QuoteId? SupersededQuoteId, Instant OpenedAt)
    : CrmOpportunityEvent(Crm, OpportunityId);

/// <param name="LastQuoteId">The opportunity's most recent quote; live unless that quote has since ended (expired, withdrawn, ordered).</param>
public sealed record CrmOpportunityState(QuoteId? LastQuoteId)
{
    public static readonly CrmOpportunityState Initial = new((QuoteId?)null);
}

/// <summary>
/// One live quote per CRM opportunity (<c>crm-opportunity-{crm}-{opportunityId}</c>): two reps, or a CRM retrying with
/// a new id, cannot put two prices in front of one customer for one deal. The stream is locked while a draft decides,
/// so two drafts for one opportunity are decided one after the other.
/// </summary>
public static class CrmOpportunityDecider
{
    public static string StreamId(string crm, string opportunityId) => $"crm-opportunity-{crm}-{opportunityId}";

    public static CrmOpportunityState Initial => CrmOpportunityState.Initial;

    public static CrmOpportunityState Evolve(CrmOpportunityState state, CrmOpportunityEvent @event) => @event switch
    {
        CrmOpportunityQuoteOpened e => new CrmOpportunityState(e.QuoteId),
        _ => throw new ArgumentOutOfRangeException(nameof(@event), @event.GetType().Name, "Unknown CRM opportunity event."),
    };

    /// <summary>A quote that has not ended: it may still be sent, accepted or ordered.</summary>
    public static bool IsLive(QuoteStatus? status) => status is not (null or QuoteStatus.None or QuoteStatus.Expired or QuoteStatus.Withdrawn or QuoteStatus.Ordered);

    public static Decision<CrmOpportunityEvent> Decide(CrmOpportunityCommand command, CrmOpportunityState state, Instant now) => command switch
    {
        OpenOpportunityQuote c => Open(c, state, now),
        _ => throw new ArgumentOutOfRangeException(nameof(command), command.GetType().Name, "Unknown CRM opportunity command."),
    };

    private static Decision<CrmOpportunityEvent> Open(OpenOpportunityQuote c, CrmOpportunityState state, Instant now)
    {
        if (state.LastQuoteId == c.QuoteId) return Decision<CrmOpportunityEvent>.Nothing;
        var live = state.LastQuoteId is { } last && IsLive(c.LiveQuoteStatus) ? last : (QuoteId?)null;
        if (c.SupersedesQuoteId is { } superseded)
        {
            if (Ids.Check(("supersedesQuoteId", superseded)) is { } badId)
                return Decision<CrmOpportunityEvent>.Invalid(badId.Field!, "opportunity." + badId.Code, badId.Message);
            if (superseded != live)
                return Decision<CrmOpportunityEvent>.Refuse(RefusalKind.Conflict, "opportunity.superseded-quote-not-live",
                    $"Quote {superseded} is not the live quote of {c.Crm} opportunity {c.OpportunityId} ({(live is null ? "it has none" : $"that is {live}")}).",
                    "supersedesQuoteId");
            if (c.LiveQuoteStatus == QuoteStatus.Accepted)
                return Decision<CrmOpportunityEvent>.Refuse(RefusalKind.Conflict, "opportunity.live-quote-accepted",
                    $"Quote {live} was accepted by the customer; it becomes an order and cannot be superseded.", "supersedesQuoteId");
            return Decision<CrmOpportunityEvent>.Of(new CrmOpportunityQuoteOpened(c.Crm, c.OpportunityId, c.QuoteId, live, now));
        }
        if (live is not null)
            return Decision<CrmOpportunityEvent>.Refuse(RefusalKind.Conflict, "opportunity.live-quote-exists",
                $"{c.Crm} opportunity {c.OpportunityId} already has live quote {live} ({c.LiveQuoteStatus}); withdraw it, or draft with supersedesQuoteId: {live}.",
                "crmOpportunityId");
        return Decision<CrmOpportunityEvent>.Of(new CrmOpportunityQuoteOpened(c.Crm, c.OpportunityId, c.QuoteId, null, now));
    }
}
