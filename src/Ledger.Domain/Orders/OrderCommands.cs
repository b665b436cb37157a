using Ledger.Domain.Common;
namespace Ledger.Domain.Orders;

[Closed]
public abstract record OrderCommand(OrderId OrderId);

/// <param name="Quote">The source quote's snapshot; null when the quote is not accepted.</param>
/// <param name="BillingAccount">Where billing invoices the order; the billing handoff that follows the order is addressed to it.</param>
/// <param name="Amends">
/// For an amendment quote's order (ADR/0021), the contract it amends as loaded now: refused when the contract moved on
/// from the version the quote amends. Null for any other order.
/// </param>
public sealed record PlaceOrder(OrderId OrderId, QuoteId QuoteId, AcceptedQuote? Quote, string PlacedBy, string BillingAccount,
    Contracts.AmendmentBasis? Amends = null) : OrderCommand(OrderId), IStartsStream;

/// <param name="BillingConfirmed">Whether the billing stream holds an acknowledgement: billed orders are not cancelled here.</param>
public sealed record CancelOrder(OrderId OrderId, string Reason, string CancelledBy, bool BillingConfirmed) : OrderCommand(OrderId);

public sealed record CloseOrder(OrderId OrderId, string? BillingReference) : OrderCommand(OrderId);
