using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Ledger.Application.Commands;
using Ledger.Domain.Billing;
using Ledger.Domain.Orders;
using Ledger.Domain.Quotes;
using NodaTime;
using Ledger.Domain.Common;

namespace Ledger.Application.Reactions;

/// <summary>
/// A placed order converts its quote and is handed to billing (an amendment quote's order is not: its contract's change is), with the deadline for billing's answer. Closing the
/// order once billing acknowledged it is <see cref="BillingOutcomes"/>'s.
/// </summary>
public sealed class OrderFulfilment(Duration billingAnswerWithin)
{
    public const string Name = "order-fulfilment";

    public IReactor Reactor => new Reactor<OrderCommand, OrderEvent, OrderState>(Name, e => Streams.Order(e.OrderId), React, typeof(OrderPlaced));

    public IEnumerable<Reaction> React(OrderEvent @event, OrderState before)
    {
        if (@event is not OrderPlaced { BillingAccount: { } account } e) yield break;
        yield return Reaction.Decide.On(new ConvertQuoteToOrder(e.Quote.QuoteId, e.OrderId));
        // An amendment quote's delta is billed as its contract's change once the contract is amended (ADR/0021), not here.
        if (before.AmendsContract is not null) yield break;
        yield return Reaction.Decide.On(new RequestBillingHandoff(e.OrderId, e.Quote.NetTotal, e.Quote.Currency, account,
            IdempotencyKey: $"billing-{e.OrderId}", PayloadHash: PayloadHash(e.OrderId, e.Quote, account), billingAnswerWithin));
    }

    /// <summary>
    /// What billing is asked to bill, hashed: a second request under the same key must be the same request. Invariant and
    /// scale-free (14400 and 14400.00 hash alike), so any host computes the same hash.
    /// </summary>
    public static string PayloadHash(OrderId orderId, AcceptedQuote order, string billingAccount) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"{orderId}|{order.QuoteId}|r{order.Revision}|{order.NetTotal:0.############################}|{order.Currency}|{billingAccount}"))));
}
