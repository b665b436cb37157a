using Ledger.Domain.Reconciliation;
using Ledger.Projections.Common;
using Ledger.Projections.Contracts;
using Ledger.Projections.Quotes;

namespace Ledger.Projections.Reconciliation.Rules;

/// <summary>QTC-03: A handoff that timed out unconfirmed.</summary>
public sealed class BillingUnconfirmed : IQuoteRule, IContractRule
{
    public DiscrepancyRule Rule => DiscrepancyRules.BillingUnconfirmed;

    public Finding? Find(QuoteReconciliation v)
    {
        if (v.Billing is { Value.Progress: BillingProgress.Unconfirmed } unconfirmed && !QuoteFacts.Cancelled(v))
            return new Finding(Rule, unconfirmed.Source, QuoteFacts.Refs(v.Order?.Source, unconfirmed.Source), v.Order?.Value.Accepted, null,
                "Billing never confirmed the handoff.");
        return null;
    }

    /// <summary>The same condition on a contract change's handoff (ADR/0021): an amendment's, a renewal's or a cancellation credit's.</summary>
    public Finding? Find(ContractReconciliation v) => ContractRules.ChangesAt(v, BillingProgress.Unconfirmed, Rule, "billing never confirmed the handoff.");
}
