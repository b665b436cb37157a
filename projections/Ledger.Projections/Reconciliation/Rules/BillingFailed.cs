using Ledger.Domain.Reconciliation;
using Ledger.Projections.Common;
using Ledger.Projections.Quotes;

namespace Ledger.Projections.Reconciliation.Rules;

/// <summary>QTC-04: A handoff billing reported as failed.</summary>
public sealed class BillingFailed : IQuoteRule
{
    public DiscrepancyRule Rule => DiscrepancyRules.BillingFailed;

    public Finding? Find(QuoteView v)
    {
        if (v.Billing is { Value.Progress: BillingProgress.Failed } failed && !QuoteFacts.Cancelled(v))
            return new Finding(Rule, failed.Source, QuoteFacts.Refs(v.Order?.Source, failed.Source), v.Order?.Value.Accepted, null,
                "The billing handoff failed.");
        return null;
    }
}
