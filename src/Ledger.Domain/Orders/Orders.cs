using Ledger.Domain.Common;
using Ledger.Domain.Quotes;
using NodaTime;

namespace Ledger.Domain.Orders;

/// <summary>What an order keeps of the quote it came from: the accepted revision as it was priced.</summary>
public sealed record AcceptedQuote(
    string QuoteId, int Revision, string SourceCrm, string CustomerId, string LegalEntity, string Region, string Currency,
    IReadOnlyList<PricedLine> Lines, decimal ListTotal, decimal DiscountTotal, decimal NetTotal)
{
    /// <summary>The snapshot of a quote, or null unless it is accepted (or already ordered) and priced.</summary>
    public static AcceptedQuote? From(QuoteState quote) =>
        quote is { Status: QuoteStatus.Accepted or QuoteStatus.Ordered, Draft: { } d, Pricing: { } p }
            ? new AcceptedQuote(d.QuoteId, quote.Revision, d.SourceCrm, d.CustomerId, d.LegalEntity, d.Region, p.Currency, p.Lines, p.ListTotal,
                p.DiscountTotal, p.NetTotal)
            : null;
}

public abstract record OrderEvent(string OrderId);

public sealed record OrderPlaced(string OrderId, AcceptedQuote Quote, string PlacedBy, Instant PlacedAt) : OrderEvent(OrderId);

public sealed record OrderCancelled(string OrderId, string QuoteId, string Reason, string CancelledBy, Instant CancelledAt) : OrderEvent(OrderId);

public sealed record OrderClosed(string OrderId, string QuoteId, string BillingReference, Instant ClosedAt) : OrderEvent(OrderId);

public abstract record OrderCommand(string OrderId);

/// <param name="Quote">The source quote's snapshot; null when the quote is not accepted.</param>
public sealed record PlaceOrder(string OrderId, string QuoteId, AcceptedQuote? Quote, string PlacedBy) : OrderCommand(OrderId);

/// <param name="BillingConfirmed">Whether the billing stream holds an acknowledgement: billed orders are not cancelled here.</param>
public sealed record CancelOrder(string OrderId, string Reason, string CancelledBy, bool BillingConfirmed) : OrderCommand(OrderId);

public sealed record CloseOrder(string OrderId, string? BillingReference) : OrderCommand(OrderId);

public enum OrderStatus { None, Placed, Cancelled, Closed }

public sealed record OrderState(OrderStatus Status, OrderPlaced? Placed)
{
    public static readonly OrderState Initial = new(OrderStatus.None, null);
}

/// <summary>Orders: placed only from an accepted quote, one per quote (the order id is the quote's), closed only once billed.</summary>
public static class OrderDecider
{
    public static string StreamId(string orderId) => $"order-{orderId}";

    /// <summary>One order per quote: its id is derived from the quote's, so a second order would be the same stream.</summary>
    public static string OrderIdFor(string quoteId) => $"ord-{quoteId}";

    public static OrderState Initial => OrderState.Initial;

    public static OrderState Evolve(OrderState state, OrderEvent @event) => @event switch
    {
        OrderPlaced e => state with { Status = OrderStatus.Placed, Placed = e },
        OrderCancelled => state with { Status = OrderStatus.Cancelled },
        OrderClosed => state with { Status = OrderStatus.Closed },
        _ => throw new ArgumentOutOfRangeException(nameof(@event), @event.GetType().Name, "Unknown order event."),
    };

    public static Decision<OrderEvent> Decide(OrderCommand command, OrderState state, Instant now)
    {
        if (command is not PlaceOrder && state.Status == OrderStatus.None)
            return Decision<OrderEvent>.Refuse(RefusalKind.NotFound, "order.not-found", $"Order {command.OrderId} has not been placed.", "orderId");
        switch (command)
        {
            case PlaceOrder c:
                if (state.Status != OrderStatus.None)
                    return state.Placed!.Quote.QuoteId == c.QuoteId
                        ? Decision<OrderEvent>.Nothing
                        : Decision<OrderEvent>.Refuse(RefusalKind.Conflict, "order.already-placed", $"Order {c.OrderId} already exists.", "orderId");
                if (c.Quote is null)
                    return Decision<OrderEvent>.Refuse(RefusalKind.RuleViolation, "order.quote-not-accepted",
                        $"Quote {c.QuoteId} is not accepted; only an accepted quote becomes an order.", "quoteId");
                return Decision<OrderEvent>.Of(new OrderPlaced(c.OrderId, c.Quote, c.PlacedBy, now));

            case CancelOrder c:
                if (state.Status == OrderStatus.Cancelled) return Decision<OrderEvent>.Nothing;
                if (state.Status == OrderStatus.Closed)
                    return Decision<OrderEvent>.Refuse(RefusalKind.Conflict, "order.already-closed", "A closed order cannot be cancelled.");
                if (c.BillingConfirmed)
                    return Decision<OrderEvent>.Refuse(RefusalKind.RuleViolation, "order.already-billed",
                        "Billing has acknowledged this order; cancel it in billing first (a credit note), then here.");
                if (string.IsNullOrWhiteSpace(c.Reason))
                    return Decision<OrderEvent>.Invalid("reason", "order.reason-required", "A cancellation needs a reason.");
                return Decision<OrderEvent>.Of(new OrderCancelled(c.OrderId, state.Placed!.Quote.QuoteId, c.Reason, c.CancelledBy, now));

            case CloseOrder c:
                if (state.Status == OrderStatus.Closed) return Decision<OrderEvent>.Nothing;
                if (state.Status == OrderStatus.Cancelled)
                    return Decision<OrderEvent>.Refuse(RefusalKind.Conflict, "order.cancelled", "A cancelled order cannot be closed.");
                if (c.BillingReference is null)
                    return Decision<OrderEvent>.Refuse(RefusalKind.RuleViolation, "order.billing-not-confirmed",
                        "An order closes only after billing has acknowledged it.");
                return Decision<OrderEvent>.Of(new OrderClosed(c.OrderId, state.Placed!.Quote.QuoteId, c.BillingReference, now));

            default:
                throw new ArgumentOutOfRangeException(nameof(command), command.GetType().Name, "Unknown order command.");
        }
    }
}
