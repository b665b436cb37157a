using Ledger.Domain.Reconciliation;
using Ledger.Projections.Common;
using Ledger.Projections.Quotes;

namespace Ledger.Projections.Reconciliation.Rules;

/// <summary>QTC-03: A handoff that timed out unconfirmed.</summary>
public sealed class BillingUnconfirmed : IQuoteRule
{
    public DiscrepancyRule Rule => DiscrepancyRules.BillingUnconfirmed;

    public Finding? Find(QuoteView v)
    {
        if (v.Billing is { Value.Progress: BillingProgress.Unconfirmed } unconfirmed && !QuoteFacts.Cancelled(v))
            return new Finding(Rule, unconfirmed.Source, QuoteFacts.Refs(v.Order?.Source, unconfirmed.Source), v.Order?.Value.Accepted, null,
                "Billing never confirmed the handoff.");
        return null;
    }
}
