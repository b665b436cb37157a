using Ledger.Domain.Reconciliation;
using Ledger.Projections.Common;
using Ledger.Projections.Quotes;

namespace Ledger.Projections.Reconciliation.Rules;

/// <summary>QTC-01: Accepted and no order placed (the clock starts at the acceptance).</summary>
public sealed class AcceptedNotOrdered : IQuoteRule
{
    public DiscrepancyRule Rule => DiscrepancyRules.AcceptedNotOrdered;

    public Finding? Find(QuoteReconciliation v)
    {
        if (v.Accepted is { } accepted && v.Order is null && v.Status?.Value != Domain.Quotes.QuoteStatus.Ordered)
            return new Finding(Rule, accepted.Source, [accepted.Source], accepted.Value, null, $"Accepted {accepted.Value}; no order placed.");
        return null;
    }
}
