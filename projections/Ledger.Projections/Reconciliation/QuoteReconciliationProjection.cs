using Marten;
using JasperFx.Events.Grouping;
using JasperFx.Events;
using Ledger.Domain.Approvals;
using Ledger.Domain.Billing;
using Ledger.Domain.Quotes;
using Ledger.Domain.Reconciliation;
using Ledger.Projections.Common;
using Ledger.Projections.Quotes;

namespace Ledger.Projections.Reconciliation;

/// <summary>
/// Reconciliation's model of each quote (ADR/0029): the shared progress of <see cref="QuoteProgressProjection{TView}"/>,
/// plus the reported facts (CRM reports, billing records), the approval streams' fingerprints, the markers the rules
/// read, and finance's clearing; after every event the quote rules (<see cref="QuoteRules"/>) keep its discrepancy book.
/// </summary>
public sealed class QuoteReconciliationProjection : QuoteProgressProjection<QuoteReconciliation>
{
    public const string ProjectionName = "quote-reconciliation";

    public QuoteReconciliationProjection() : base(ProjectionName)
    {
        Identity<CrmQuoteStateReported>(e => QuoteStreams.QuoteIdOf(e)!);
        Identities<BillingRecordReported>(e => QuoteStreams.QuoteIdOf(e) is { } quoteId ? [quoteId] : []);
        Identities<DiscrepancyEvent>(e => QuoteStreams.QuoteIdOf(e) is { } quoteId ? [quoteId] : []);
    }

    /// <summary>The occurrence index's rows of the batch's models, kept once per batch (<see cref="DiscrepancyRows.KeptByBatch{TView}"/>).</summary>
    public override Task EnrichEventsAsync(SliceGroup<QuoteReconciliation, string> group, IQuerySession querySession, CancellationToken cancellation)
    {
        DiscrepancyRows.KeptByBatch(group, querySession);
        return base.EnrichEventsAsync(group, querySession, cancellation);
    }

    protected override void Follow(QuoteReconciliation view, IEvent e)
    {
        switch (e.Data)
        {
            case QuoteSent s:
                view.SentUnderStaleApproval = SentUnderStaleApproval(view, s) ? EventRef.Of(e) : null;
                break;
            case ApprovalEvent approval:
                FollowApproval(view, approval, e);
                break;
            case BillingDuplicateInvoiceDetected:
                view.DuplicateInvoiceDetected = EventRef.Of(e);
                break;
            case BillingReconciled:
                view.ReconciledBilled = QuoteFacts.Billed(view) is [var single] ? single : null;
                view.DuplicateInvoiceDetected = null;
                break;
            case CrmQuoteStateReported r:
                view.ReportedByCrm = Sourced.From(new CrmReport(r.Crm, r.CrmOpportunityId, r.Status, r.ObservedAt), e);
                break;
            case BillingRecordReported r:
                view.BillingRecords.RemoveAll(b => b.RecordId == r.RecordId);
                view.BillingRecords.Add(new BillingRecordLine(r.RecordId, r.Kind, new Amount(r.Amount, r.Currency), r.Status, EventRef.Of(e)));
                break;
        }
    }

    protected override QuoteReconciliation Settle(QuoteReconciliation view, string id, IEvent e)
    {
        if (e.Data is DiscrepancyEvent) DiscrepancyBook.Clear(view.Discrepancies, e);
        else DiscrepancyBook.Reconcile(view.Discrepancies, id, Crms(view), QuoteRules.Findings(view), QuoteRules.Rules, e);
        return view;
    }

    private static IEnumerable<string> Crms(QuoteReconciliation view) => [view.SourceCrm ?? "", view.ReportedByCrm?.Value.Crm ?? ""];

    /// <summary>
    /// QTC-08: the quote stream says approved, but the approval stream of that revision never completed that
    /// fingerprint, or was invalidated before the quote went out. Approvals within policy need no stream.
    /// </summary>
    private static bool SentUnderStaleApproval(QuoteReconciliation view, QuoteSent sent)
    {
        if (view.Approval?.Value is { Progress: ApprovalProgress.Approved, WithinPolicy: true }) return false;
        var approved = view.Approval?.Value is { Progress: ApprovalProgress.Approved } a ? a.Fingerprint : null;
        var track = view.Approvals.LastOrDefault(t => t.Revision == sent.Revision);
        return approved is null || track is null || track.InvalidatedBy is not null || track.Completed != approved;
    }

    /// <summary>What each approval stream recorded: requested levels, the fingerprint it completed, its invalidation.</summary>
    private static void FollowApproval(QuoteReconciliation view, ApprovalEvent @event, IEvent e)
    {
        var index = view.Approvals.FindLastIndex(t => t.Revision == @event.Revision);
        switch (@event)
        {
            case ApprovalRequested r:
                view.Approvals.Add(new ApprovalTrack(r.Revision, r.Levels, null, null, EventRef.Of(e)));
                return;
            case ApprovalCompleted c when index >= 0:
                view.Approvals[index] = view.Approvals[index] with { Completed = c.Fingerprint };
                return;
            case ApprovalInvalidated when index >= 0:
                view.Approvals[index] = view.Approvals[index] with { InvalidatedBy = EventRef.Of(e) };
                return;
        }
    }
}
