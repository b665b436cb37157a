using Ledger.Domain.Reconciliation;
using Ledger.Projections.Common;
using Ledger.Projections.Quotes;

namespace Ledger.Projections.Reconciliation.Rules;

/// <summary>QTC-05: What billing holds differs from what was accepted (amount or currency), unless finance reconciled that amount.</summary>
public sealed class BilledAmountMismatch : IQuoteRule
{
    public DiscrepancyRule Rule => DiscrepancyRules.BilledAmountMismatch;

    public Finding? Find(QuoteReconciliation v)
    {
        var expected = v.Order?.Value.Accepted ?? v.Accepted?.Value;
        if (expected is null || QuoteFacts.Billed(v) is not { Count: > 0 } billed
            || billed is [var one] && one == expected || billed is [var reconciled] && reconciled == v.ReconciledBilled)
            return null;
        var proof = QuoteFacts.Refs([v.Order?.Source, v.Accepted?.Source, v.Billing?.Source, .. QuoteFacts.LiveRecords(v).Select(l => l.Source)]);
        return new Finding(Rule, proof[^1], proof, expected, billed.Count == 1 ? billed[0] : null, $"Accepted {expected}; billed {string.Join(" + ", billed)}.");
    }
}
