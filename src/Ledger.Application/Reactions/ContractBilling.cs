using Ledger.Application.Commands;
using Ledger.Application.Contracts;
using Ledger.Domain.Contracts;
using Ledger.Domain.Common;

namespace Ledger.Application.Reactions;

/// <summary>
/// A contract change that bills something goes to billing: an amendment's prorated delta (made directly or by an amendment quote's order), a renewal's next term, a
/// cancellation's credit (ADR/0021). The billing account is the order's, which the contract stream does not hold, so this
/// delivers a message whose handler reads it and requests the handoff; from there the order's handoff path carries it
/// (send, retries, deadline, acknowledgement).
/// </summary>
public static class ContractBilling
{
    public const string Name = "contract-billing";

    public static readonly IReactor Reactor = new Reactor<ContractCommand, ContractEvent, ContractState>(
        Name, e => Streams.Contract(e.ContractId), React, typeof(ContractAmended), typeof(ContractAmendedByQuote), typeof(ContractRenewed),
        typeof(ContractCancelled));

    public static IEnumerable<Reaction> React(ContractEvent @event, ContractState before)
    {
        if (before.Started is not { } started || ContractDecider.BillableOf(@event) is not { } billable) yield break;
        var version = @event switch
        {
            ContractAmended e => e.Version,
            ContractAmendedByQuote e => e.Version,
            ContractRenewed e => e.Version,
            ContractCancelled e => e.Version,
            _ => 0,
        };
        yield return new Reaction.Deliver(new HandContractChangeToBilling(started.ContractId, version, billable.Kind, billable.Amount, started.Currency,
            started.OrderId));
    }
}
