using Ledger.Domain.Reconciliation;
using Ledger.Projections.Common;
using Ledger.Projections.Quotes;
using R = Ledger.Domain.Reconciliation.DiscrepancyRules;

namespace Ledger.Projections.Reconciliation;

/// <summary>The reconciliation rules about one quote's way to cash, each a pure condition over its <see cref="QuoteView"/>.</summary>
public static class QuoteRules
{
    public static readonly IReadOnlyCollection<DiscrepancyRule> Rules =
    [
        R.AcceptedNotOrdered, R.OrderedNotHandedOff, R.BillingUnconfirmed, R.BillingFailed, R.BilledAmountMismatch,
        R.CrmStateStale, R.ApprovalStaleWhenSent, R.DuplicateInvoice, R.BilledWithoutOrder, R.BillingHandoffUnanswered,
    ];

    public static IReadOnlyList<Finding> Findings(QuoteView v)
    {
        var findings = new List<Finding>();
        var order = v.Order?.Value;
        var live = v.BillingRecords.Where(r => r.Status != BillingRecordStatus.Void).ToList();
        var cancelled = order?.Progress == OrderProgress.Cancelled;

        if (v.Accepted is { } accepted && order is null && v.Status?.Value != Domain.Quotes.QuoteStatus.Ordered)
            findings.Add(new Finding(R.AcceptedNotOrdered, accepted.Source, [accepted.Source], accepted.Value, null,
                $"Accepted {accepted.Value}; no order placed."));

        if (v.Order is { } placed && order!.Progress == OrderProgress.Placed && v.Billing is null)
            findings.Add(new Finding(R.OrderedNotHandedOff, placed.Source, [placed.Source], order.Accepted, null,
                $"Order {order.OrderId} placed; no billing handoff requested."));

        if (v.Billing is { Value.Progress: BillingProgress.Requested } requested && !cancelled)
            findings.Add(new Finding(R.BillingHandoffUnanswered, requested.Source, Refs(v.Order?.Source, requested.Source), order?.Accepted, null,
                "Billing has not answered the handoff."));

        if (v.Billing is { Value.Progress: BillingProgress.Unconfirmed } unconfirmed && !cancelled)
            findings.Add(new Finding(R.BillingUnconfirmed, unconfirmed.Source, Refs(v.Order?.Source, unconfirmed.Source), order?.Accepted, null,
                "Billing never confirmed the handoff."));

        if (v.Billing is { Value.Progress: BillingProgress.Failed } failed && !cancelled)
            findings.Add(new Finding(R.BillingFailed, failed.Source, Refs(v.Order?.Source, failed.Source), order?.Accepted, null,
                "The billing handoff failed."));

        var expected = order?.Accepted ?? v.Accepted?.Value;
        if (expected is not null && Billed(v) is { Count: > 0 } billed && !(billed is [var one] && one == expected) && !(billed is [var r] && r == v.ReconciledBilled))
        {
            var proof = Refs([v.Order?.Source, v.Accepted?.Source, v.Billing?.Source, .. live.Select(l => l.Source)]);
            findings.Add(new Finding(R.BilledAmountMismatch, proof[^1], proof, expected, billed.Count == 1 ? billed[0] : null,
                $"Accepted {expected}; billed {string.Join(" + ", billed)}."));
        }

        if (v.ReportedByCrm is { } report && v.Status is { } status && report.Value.Status != status.Value)
        {
            var proof = Refs(report.Source, status.Source);
            findings.Add(new Finding(R.CrmStateStale, proof[^1], proof, null, null,
                $"{report.Value.Crm} shows {report.Value.Status}; the ledger has {status.Value}."));
        }

        if (v.SentUnderStaleApproval is { } stale)
            findings.Add(new Finding(R.ApprovalStaleWhenSent, stale,
                Refs([.. v.Approvals.Select(a => a.InvalidatedBy ?? a.Requested), v.Approval?.Source, stale]), null, null,
                "The quote was sent under an approval its approval stream does not back."));

        var invoices = live.Where(r => r.Kind == BillingRecordKind.Invoice).ToList();
        if (v.DuplicateInvoiceDetected is not null || invoices.Count > 1)
        {
            var proof = Refs([v.DuplicateInvoiceDetected, .. invoices.Select(i => i.Source)]);
            findings.Add(new Finding(R.DuplicateInvoice, proof[^1], proof, expected, null,
                $"More than one invoice for one order: {string.Join(", ", invoices.Select(i => i.RecordId).DefaultIfEmpty(v.Billing?.Value.Reference ?? "-"))}."));
        }

        if (live.Count > 0 && (order is null || cancelled))
            findings.Add(new Finding(R.BilledWithoutOrder, live[0].Source, Refs([v.Order?.Source, .. live.Select(l => l.Source)]), null, live[0].Amount,
                order is null ? "Billing holds records for an order the ledger never placed." : "Billing holds records for a cancelled order."));

        return findings;
    }

    /// <summary>
    /// What billing holds for the order, per currency: the reported records when there are any (invoices and
    /// subscriptions count, credit notes subtract, void records do not count), otherwise the acknowledged amount.
    /// </summary>
    public static IReadOnlyList<Amount> Billed(QuoteView v)
    {
        var live = v.BillingRecords.Where(r => r.Status != BillingRecordStatus.Void).ToList();
        if (live.Count > 0)
            return live.GroupBy(r => r.Amount.Currency, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new Amount(g.Sum(r => r.Kind == BillingRecordKind.CreditNote ? -r.Amount.Value : r.Amount.Value), g.Key))
                .ToList();
        return v.Billing?.Value.Billed is { } acknowledged ? [acknowledged] : [];
    }

    private static List<EventRef> Refs(params EventRef?[] refs) =>
        refs.OfType<EventRef>().DistinctBy(r => r.EventId).OrderBy(r => r.Position).ToList();
}
