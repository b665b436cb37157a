using Ledger.Application.Commands;
using Ledger.Domain.Contracts;
using Ledger.Domain.Orders;
using Ledger.Domain.Common;

namespace Ledger.Application.Reactions;

/// <summary>
/// An amendment quote's order amends its contract (ADR/0021): the accepted quote's delta lines are decided on the contract,
/// which refuses them if it moved on from the version the quote amends (the refusal is the reaction's stored answer;
/// nothing is amended and nothing billed). The amendment then goes to billing as any amendment (<see cref="ContractBilling"/>).
/// </summary>
public static class ContractAmendmentByQuote
{
    public const string Name = "contract-amendment-by-quote";

    public static readonly IReactor Reactor = new Reactor<OrderCommand, OrderEvent, OrderState>(
        Name, e => Streams.Order(e.OrderId), React, typeof(OrderPlaced));

    public static IEnumerable<Reaction> React(OrderEvent @event, OrderState before)
    {
        if (@event is OrderPlaced e && before.AmendsContract is { } amends)
            yield return Reaction.Decide.On(new AmendContractFromQuote(amends.ContractId, e.OrderId, e.Quote, amends.BasedOnVersion));
    }
}
