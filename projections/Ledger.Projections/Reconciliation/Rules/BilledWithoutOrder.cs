using Ledger.Domain.Reconciliation;
using Ledger.Projections.Common;
using Ledger.Projections.Quotes;

namespace Ledger.Projections.Reconciliation.Rules;

/// <summary>QTC-10: Billing holds live records for an order the ledger never placed, or cancelled.</summary>
public sealed class BilledWithoutOrder : IQuoteRule
{
    public DiscrepancyRule Rule => DiscrepancyRules.BilledWithoutOrder;

    public Finding? Find(QuoteReconciliation v)
    {
        var live = QuoteFacts.LiveRecords(v);
        var order = v.Order?.Value;
        if (live.Count == 0 || order is not null && !QuoteFacts.Cancelled(v)) return null;
        return new Finding(Rule, live[0].Source, QuoteFacts.Refs([v.Order?.Source, .. live.Select(l => l.Source)]), null, live[0].Amount,
            order is null ? "Billing holds records for an order the ledger never placed." : "Billing holds records for a cancelled order.");
    }
}
