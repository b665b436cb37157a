using Ledger.Domain.Reconciliation;
using Ledger.Projections.Common;
using Ledger.Projections.Quotes;

namespace Ledger.Projections.Reconciliation;

/// <summary>What several quote rules read off a view the same way.</summary>
public static class QuoteFacts
{
    public static bool Cancelled(QuoteReconciliation v) => v.Order?.Value.Progress == OrderProgress.Cancelled;

    /// <summary>The billing records that count: every one billing reported except the voided.</summary>
    public static List<BillingRecordLine> LiveRecords(QuoteReconciliation v) => v.BillingRecords.Where(r => r.Status != BillingRecordStatus.Void).ToList();

    /// <summary>
    /// What billing holds for the order, per currency: the reported records when there are any (invoices and
    /// subscriptions count, credit notes subtract, void records do not count), otherwise the acknowledged amount.
    /// </summary>
    public static IReadOnlyList<Amount> Billed(QuoteReconciliation v)
    {
        var live = LiveRecords(v);
        if (live.Count > 0)
            return live.GroupBy(r => r.Amount.Currency, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new Amount(g.Sum(r => r.Kind == BillingRecordKind.CreditNote ? -r.Amount.Value : r.Amount.Value), g.Key))
                .ToList();
        return v.Billing?.Value.Billed is { } acknowledged ? [acknowledged] : [];
    }

    /// <summary>The events that prove a finding, each once, in log order.</summary>
    public static List<EventRef> Refs(params EventRef?[] refs) =>
        refs.OfType<EventRef>().DistinctBy(r => r.EventId).OrderBy(r => r.Position).ToList();
}
