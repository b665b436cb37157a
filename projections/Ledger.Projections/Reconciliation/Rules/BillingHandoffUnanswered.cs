using Ledger.Domain.Reconciliation;
using Ledger.Projections.Common;
using Ledger.Projections.Contracts;
using Ledger.Projections.Quotes;

namespace Ledger.Projections.Reconciliation.Rules;

/// <summary>QTC-11: A handoff billing has not answered (acknowledged, failed or timed out).</summary>
public sealed class BillingHandoffUnanswered : IQuoteRule, IContractRule
{
    public DiscrepancyRule Rule => DiscrepancyRules.BillingHandoffUnanswered;

    public Finding? Find(QuoteReconciliation v)
    {
        if (v.Billing is { Value.Progress: BillingProgress.Requested } requested && !QuoteFacts.Cancelled(v))
            return new Finding(Rule, requested.Source, QuoteFacts.Refs(v.Order?.Source, requested.Source), v.Order?.Value.Accepted, null,
                "Billing has not answered the handoff.");
        return null;
    }

    /// <summary>The same condition on a contract change's handoff (ADR/0021): an amendment's, a renewal's or a cancellation credit's.</summary>
    public Finding? Find(ContractReconciliation v) => ContractRules.ChangesAt(v, BillingProgress.Requested, Rule, "billing has not answered the handoff.");
}
