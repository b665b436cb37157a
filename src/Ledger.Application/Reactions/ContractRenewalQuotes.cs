using Ledger.Application.Commands;
using Ledger.Application.Contracts;
using Ledger.Domain.Contracts;
using Ledger.Domain.Common;

namespace Ledger.Application.Reactions;

/// <summary>
/// A renewal that falls due (<c>Contracts:RenewalNoticeDays</c> before the term ends) gets its renewal quote drafted
/// (ADR/0021), unless the contract is evergreen and renews itself. Drafting reads the quote, the catalog and the policy,
/// so it is a message whose handler does it.
/// </summary>
public static class ContractRenewalQuotes
{
    public const string Name = "contract-renewal-quotes";

    public static readonly IReactor Reactor = new Reactor<ContractCommand, ContractEvent, ContractState>(
        Name, e => Streams.Contract(e.ContractId), React, typeof(ContractRenewalDue));

    public static IEnumerable<Reaction> React(ContractEvent @event, ContractState before)
    {
        if (@event is ContractRenewalDue { Evergreen: false } e)
            yield return new Reaction.Deliver(new DraftRenewalQuote(e.ContractId, e.EndDate));
    }
}
