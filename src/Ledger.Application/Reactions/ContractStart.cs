using Ledger.Application.Commands;
using Ledger.Application.Contracts;
using Ledger.Domain.Orders;
using Ledger.Domain.Common;

namespace Ledger.Application.Reactions;

/// <summary>
/// A billed order (closed once billing acknowledged it) of a subscription quote starts its contract. Whether its lines are
/// subscriptions is the catalog's to say, so the start is a message whose handler loads the catalog (ADR/0021).
/// </summary>
public static class ContractStart
{
    public static readonly IReactor Reactor = new Reactor<OrderCommand, OrderEvent, OrderState>(
        "contract-start", e => Streams.Order(e.OrderId), React, typeof(OrderClosed));

    public static IEnumerable<Reaction> React(OrderEvent @event, OrderState before)
    {
        if (@event is OrderClosed e && before.Placed is not null)
            yield return new Reaction.Deliver(new StartContractForBilledOrder(e.OrderId, e.BillingReference, e.ClosedAt));
    }
}
