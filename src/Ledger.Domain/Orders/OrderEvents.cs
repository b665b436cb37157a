using Ledger.Domain.Common;
using Ledger.Domain;
using Ledger.Domain.Quotes;
using NodaTime;

namespace Ledger.Domain.Orders;

/// <summary>What an order keeps of the quote it came from: the accepted revision as it was priced.</summary>
public sealed record AcceptedQuote(
    QuoteId QuoteId, int Revision, string SourceCrm, CustomerId CustomerId, string LegalEntity, string Region, string Currency,
    IReadOnlyList<PricedLine> Lines, decimal ListTotal, decimal DiscountTotal, decimal NetTotal)
{
    /// <summary>The snapshot of a quote, or null unless it is accepted (or already ordered) and priced.</summary>
    public static AcceptedQuote? From(QuoteState quote) =>
        quote is { Status: QuoteStatus.Accepted or QuoteStatus.Ordered, Draft: { } d, Pricing: { } p }
            ? new AcceptedQuote(d.QuoteId, quote.Revision, d.SourceCrm, d.CustomerId, d.LegalEntity, d.Region, p.Currency, p.Lines, p.ListTotal,
                p.DiscountTotal, p.NetTotal)
            : null;
}

[Closed]
public abstract record OrderEvent(OrderId OrderId);

/// <param name="BillingAccount">
/// Where billing invoices the order: the handoff that follows the order (a reaction, ADR/0017) is addressed to it. New in v2;
/// null on a v1 event (read as v2), whose handoff was requested in the order's own unit.
/// </param>
[EventName("order-placed.v2")]
public sealed record OrderPlaced(OrderId OrderId, AcceptedQuote Quote, string PlacedBy, Instant PlacedAt, string? BillingAccount = null) : OrderEvent(OrderId);

/// <summary>
/// The order is an amendment quote's (ADR/0021), recorded just before its <c>order-placed</c>: it amends contract
/// <paramref name="ContractId"/> at <paramref name="BasedOnVersion"/>, and its delta is billed as the contract's change
/// (<c>billing-{contractId}-v{n}</c>), not on the order's own handoff. A separate fact rather than a field of
/// <c>order-placed.v2</c>: every other order is unchanged, and a reader that does not know it sees an ordinary order.
/// </summary>
[EventName("order-amends-contract.v1")]
public sealed record OrderAmendsContract(OrderId OrderId, QuoteId QuoteId, ContractId ContractId, int BasedOnVersion, Instant RecordedAt) : OrderEvent(OrderId);

[EventName("order-cancelled.v1")]
public sealed record OrderCancelled(OrderId OrderId, QuoteId QuoteId, string Reason, string CancelledBy, Instant CancelledAt) : OrderEvent(OrderId);

[EventName("order-closed.v1")]
public sealed record OrderClosed(OrderId OrderId, QuoteId QuoteId, string BillingReference, Instant ClosedAt) : OrderEvent(OrderId);
