using Ledger.Application.Billing;
using Ledger.Application.Contracts;

namespace Ledger.Application.Reactions;

/// <summary>Every reactor the processor runs, in the order it runs them on one event.</summary>
public static class Reactors
{
    public static IReadOnlyList<IReactor> All(BillingSettings billing, ContractSettings? contracts = null) =>
    [
        ApprovalRequests.Reactor,
        ApprovalOutcomes.Reactor,
        new OrderFulfilment(billing.Timeout).Reactor,
        BillingOutcomes.Reactor,
        CustomerMerges.Reactor,
        QuoteExpiry.Reactor,
        ContractStart.Reactor,
        new ContractRenewals(contracts ?? ContractSettings.Default).Reactor,
        ContractBilling.Reactor,
        ContractAmendmentApprovals.Reactor,
        ContractRenewalQuotes.Reactor,
        ContractAmendmentByQuote.Reactor,
        AmendmentQuoteOrderClosing.Reactor,
    ];
}
