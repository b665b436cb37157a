using Ledger.Domain.Reconciliation;
using Ledger.Projections.Common;
using Ledger.Projections.Quotes;

namespace Ledger.Projections.Reconciliation.Rules;

/// <summary>QTC-06: The CRM reports a state other than the ledger's.</summary>
public sealed class CrmStateStale : IQuoteRule
{
    public DiscrepancyRule Rule => DiscrepancyRules.CrmStateStale;

    public Finding? Find(QuoteReconciliation v)
    {
        if (v.ReportedByCrm is not { } report || v.Status is not { } status || report.Value.Status == status.Value) return null;
        var proof = QuoteFacts.Refs(report.Source, status.Source);
        return new Finding(Rule, proof[^1], proof, null, null, $"{report.Value.Crm} shows {report.Value.Status}; the ledger has {status.Value}.");
    }
}
