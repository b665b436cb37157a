using Ledger.Domain.Reconciliation;
using Ledger.Projections.Common;
using Ledger.Projections.Quotes;

namespace Ledger.Projections.Reconciliation.Rules;

/// <summary>QTC-08: Sent under an approval that its approval stream had invalidated.</summary>
public sealed class ApprovalStaleWhenSent : IQuoteRule
{
    public DiscrepancyRule Rule => DiscrepancyRules.ApprovalStaleWhenSent;

    public Finding? Find(QuoteReconciliation v)
    {
        if (v.SentUnderStaleApproval is not { } stale) return null;
        return new Finding(Rule, stale, QuoteFacts.Refs([.. v.Approvals.Select(a => a.InvalidatedBy ?? a.Requested), v.Approval?.Source, stale]), null, null,
            "The quote was sent under an approval its approval stream does not back.");
    }
}
