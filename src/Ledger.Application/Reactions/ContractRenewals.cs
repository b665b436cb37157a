using Ledger.Application.Commands;
using Ledger.Application.Contracts;
using Ledger.Domain.Contracts;
using Ledger.Domain.Common;

namespace Ledger.Application.Reactions;

/// <summary>
/// Every term of a contract is watched twice: its renewal falls due a configurable number of days before it ends, and at
/// its end it expires or, when evergreen, renews itself. Both are scheduled durable messages, as quote expiry is.
/// </summary>
public sealed class ContractRenewals(ContractSettings settings)
{
    public const string Name = "contract-renewals";

    public IReactor Reactor => new Reactor<ContractCommand, ContractEvent, ContractState>(
        Name, e => Streams.Contract(e.ContractId), React, typeof(ContractStarted), typeof(ContractRenewed), typeof(ContractRenewedByQuote));

    public IEnumerable<Reaction> React(ContractEvent @event, ContractState before)
    {
        var (contractId, endDate, timeZone) = @event switch
        {
            ContractStarted e => (e.ContractId, e.EndDate, e.TimeZone),
            ContractRenewed e when before.Started is { } started => (e.ContractId, e.EndDate, started.TimeZone),
            ContractRenewedByQuote e when before.Started is { } started => (e.ContractId, e.EndDate, started.TimeZone),
            _ => default,
        };
        if (contractId.Value is null) yield break;
        yield return new Reaction.Deliver(new CheckContractRenewalWhenDue(contractId, endDate, settings.RenewalNoticeDays,
            ContractState.RenewalDueAt(endDate, settings.RenewalNoticeDays, timeZone)));
        yield return new Reaction.Deliver(new EndContractTermWhenDue(contractId, endDate, ContractState.TermOverAt(endDate, timeZone)));
    }
}
