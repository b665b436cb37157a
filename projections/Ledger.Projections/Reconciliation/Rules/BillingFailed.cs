using Ledger.Domain.Reconciliation;
using Ledger.Projections.Common;
using Ledger.Projections.Contracts;
using Ledger.Projections.Quotes;

namespace Ledger.Projections.Reconciliation.Rules;

/// <summary>QTC-04: A handoff billing reported as failed.</summary>
public sealed class BillingFailed : IQuoteRule, IContractRule
{
    public DiscrepancyRule Rule => DiscrepancyRules.BillingFailed;

    public Finding? Find(QuoteReconciliation v)
    {
        if (v.Billing is { Value.Progress: BillingProgress.Failed } failed && !QuoteFacts.Cancelled(v))
            return new Finding(Rule, failed.Source, QuoteFacts.Refs(v.Order?.Source, failed.Source), v.Order?.Value.Accepted, null,
                "The billing handoff failed.");
        return null;
    }

    /// <summary>The same condition on a contract change's handoff (ADR/0021): an amendment's, a renewal's or a cancellation credit's.</summary>
    public Finding? Find(ContractReconciliation v) => ContractRules.ChangesAt(v, BillingProgress.Failed, Rule, "the billing handoff failed.");
}
