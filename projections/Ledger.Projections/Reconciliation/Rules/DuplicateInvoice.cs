using Ledger.Domain.Reconciliation;
using Ledger.Projections.Common;
using Ledger.Projections.Quotes;

namespace Ledger.Projections.Reconciliation.Rules;

/// <summary>QTC-09: Billing answered twice under two invoice numbers, or reports more than one live invoice.</summary>
public sealed class DuplicateInvoice : IQuoteRule
{
    public DiscrepancyRule Rule => DiscrepancyRules.DuplicateInvoice;

    public Finding? Find(QuoteReconciliation v)
    {
        var invoices = QuoteFacts.LiveRecords(v).Where(r => r.Kind == BillingRecordKind.Invoice).ToList();
        if (v.DuplicateInvoiceDetected is null && invoices.Count <= 1) return null;
        var proof = QuoteFacts.Refs([v.DuplicateInvoiceDetected, .. invoices.Select(i => i.Source)]);
        return new Finding(Rule, proof[^1], proof, v.Order?.Value.Accepted ?? v.Accepted?.Value, null,
            $"More than one invoice for one order: {string.Join(", ", invoices.Select(i => i.RecordId).DefaultIfEmpty(v.Billing?.Value.Reference ?? "-"))}.");
    }
}
