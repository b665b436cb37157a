using Ledger.Application.Commands;
using Ledger.Domain.Contracts;
using Ledger.Domain.Orders;
using Ledger.Domain.Common;

namespace Ledger.Application.Reactions;

/// <summary>
/// An amendment quote's order closes when billing acknowledged the change it made to its contract (ADR/0021): its delta
/// was billed on the contract change's handoff, so that acknowledgement is the order's, under the same reference.
/// </summary>
public static class AmendmentQuoteOrderClosing
{
    public const string Name = "amendment-quote-order-closing";

    public static readonly IReactor Reactor = new Reactor<ContractCommand, ContractEvent, ContractState>(
        Name, e => Streams.Contract(e.ContractId), React, typeof(ContractChangeBilled));

    public static IEnumerable<Reaction> React(ContractEvent @event, ContractState before)
    {
        if (@event is ContractChangeBilled e && before.AmendedByQuote.FirstOrDefault(a => a.Version == e.ChangeVersion) is { } amended)
            yield return Reaction.Decide.On(new CloseOrder(amended.OrderId, e.BillingReference));
    }
}
