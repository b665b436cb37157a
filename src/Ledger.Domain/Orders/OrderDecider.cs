using Ledger.Domain.Common;
using NodaTime;

namespace Ledger.Domain.Orders;

/// <summary>Orders: placed only from an accepted quote, one per quote (the order id is the quote's), closed only once billed.</summary>
public static class OrderDecider
{
    public static string StreamId(OrderId orderId) => $"order-{orderId}";

    /// <summary>One order per quote: its id is derived from the quote's, so a second order would be the same stream.</summary>
    public static OrderId OrderIdFor(QuoteId quoteId) => new($"ord-{quoteId}");

    public static OrderState Initial => OrderState.Initial;

    public static OrderState Evolve(OrderState state, OrderEvent @event) => @event switch
    {
        OrderPlaced e => state with { Status = OrderStatus.Placed, Placed = e },
        OrderAmendsContract e => state with { AmendsContract = e },
        OrderCancelled => state with { Status = OrderStatus.Cancelled },
        OrderClosed => state with { Status = OrderStatus.Closed },
        _ => throw new ArgumentOutOfRangeException(nameof(@event), @event.GetType().Name, "Unknown order event."),
    };

    public static Decision<OrderEvent> Decide(OrderCommand command, OrderState state, Instant now)
    {
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
                if (string.IsNullOrWhiteSpace(c.BillingAccount))
                    return Decision<OrderEvent>.Invalid("billingAccount", "order.field-required", "billingAccount is required.");
                var placed = new OrderPlaced(c.OrderId, c.Quote, c.PlacedBy, now, c.BillingAccount);
                if (c.Amends is not { } basis) return Decision<OrderEvent>.Of(placed);
                // The contract version is the amendment quote's fingerprint: a contract that moved on since refuses its order.
                if (Contracts.AmendmentQuotes.Stale(basis) is { } stale) return Decision<OrderEvent>.Refuse(stale.Kind, stale.Code, stale.Message, stale.Field);
                return Decision<OrderEvent>.Of(new OrderAmendsContract(c.OrderId, c.QuoteId, basis.ContractId, basis.BasedOnVersion, now), placed);

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
