using JasperFx.Events;
using JasperFx.Events.Grouping;
using Ledger.Domain.Approvals;
using Ledger.Domain.Billing;
using Ledger.Domain.Customers;
using Ledger.Domain.Orders;
using Ledger.Domain.Quotes;
using Ledger.Domain.Reconciliation;
using Ledger.Projections.Common;
using Ledger.Projections.Rebuilds;
using Marten;
using Marten.Events.Aggregation;
using Marten.Events.Projections;

namespace Ledger.Projections.Quotes;

/// <summary>
/// Which quote an event is about. Streams find their quote by id: order <c>ord-{quoteId}</c>, billing and billing records
/// by order id, approvals, reports and clearing by quote id.
/// </summary>
public static class QuoteStreams
{
    /// <summary>The quote whose documents an event belongs to; null for an event about no quote (a customer's duplicate).</summary>
    public static string? QuoteIdOf(object data) => data switch
    {
        QuoteEvent e => e.QuoteId,
        ApprovalEvent e when Ledger.Domain.Contracts.ContractDecider.IsContractId(e.QuoteId) => null,
        ApprovalEvent e => e.QuoteId,
        OrderEvent e => QuoteIdOfOrder(e.OrderId),
        BillingEvent e when Ledger.Domain.Contracts.ContractDecider.IsContractBillingHandoff(e.OrderId) => null,
        BillingEvent e => QuoteIdOfOrder(e.OrderId),
        CrmQuoteStateReported e => e.QuoteId,
        // A contract change's billing records and a contract's discrepancies are reconciliation's contract model's (ADR/0021, ADR/0029).
        BillingRecordReported e when Ledger.Domain.Contracts.ContractDecider.IsContractBillingHandoff(e.OrderId) => null,
        BillingRecordReported e => QuoteIdOfOrder(e.OrderId),
        DiscrepancyEvent e when Ledger.Domain.Contracts.ContractDecider.IsContractId(e.Subject) => null,
        DiscrepancyEvent e => e.Rule == DiscrepancyRules.DuplicateCustomer.Code ? null : e.Subject,
        _ => null,
    };

    /// <summary>Orders are <c>ord-{quoteId}</c>; a billing record for any other id lands on a document of its own, where QTC-10 finds it.</summary>
    public static string QuoteIdOfOrder(string orderId) => orderId.StartsWith("ord-", StringComparison.Ordinal) ? orderId[4..] : orderId;
}

/// <summary>
/// Folds the streams of one quote that both quote documents follow (quote, approvals, order, billing handoff, customer
/// merges) into a <see cref="QuoteProgress"/>; each projection then adds what only it keeps (<see cref="Follow"/>). An
/// explicit <see cref="Evolve"/> (no conventions, no code generation): one switch, like the domain's deciders.
/// </summary>
public abstract class QuoteProgressProjection<TView> : MultiStreamProjection<TView, string>, IRebuildSlicing where TView : QuoteProgress, new()
{
    protected QuoteProgressProjection(string name)
    {
        Name = name;
        Identity<QuoteEvent>(e => QuoteStreams.QuoteIdOf(e)!);
        // A contract amendment's approval stream is no quote's (ADR/0021): the approval queue shows it, no quote document does.
        Identities<ApprovalEvent>(e => QuoteStreams.QuoteIdOf(e) is { } quoteId ? [quoteId] : []);
        Identity<OrderEvent>(e => QuoteStreams.QuoteIdOf(e)!);
        // A contract change's billing handoff is no order's (ADR/0021): it has no quote document (and no ghost one of its own).
        Identities<BillingEvent>(e => QuoteStreams.QuoteIdOf(e) is { } quoteId ? [quoteId] : []);
        CustomGrouping(new MergedCustomerQuotesGrouper());
    }

    /// <summary>A merge finds the merged customer's quotes among the stored documents (<see cref="MergedCustomerQuotesGrouper"/>).</summary>
    public bool ReadsStoredDocuments(IEvent e) => IsMerge(e);

    private static bool IsMerge(IEvent e) => e.Data is CustomerMerged;

    public override TView Evolve(TView? snapshot, string id, IEvent e)
    {
        var view = snapshot ?? new TView { Id = id };
        switch (e.Data)
        {
            case QuoteEvent quote: ApplyQuote(view, quote, e); break;
            case ApprovalEvent approval: ApplyApproval(view, approval, e); break;
            case OrderEvent order: ApplyOrder(view, order, e); break;
            case BillingEvent billing: ApplyBilling(view, billing, e); break;
            // The quote follows its customer into the one it was merged into (ADR/0023); the drafted id stays as it was drafted.
            case CustomerMerged m when view.CustomerId == m.CustomerId:
                view.CustomerId = m.IntoCustomerId;
                break;
        }
        Follow(view, e);
        view.Through = EventRef.Of(e);
        return Settle(view, id, e);
    }

    /// <summary>What the projection keeps of the event besides the shared progress (run after it, with the progress already moved).</summary>
    protected abstract void Follow(TView view, IEvent e);

    /// <summary>The last step after every event (reconciliation runs its rules here).</summary>
    protected virtual TView Settle(TView view, string id, IEvent e) => view;

    private static void ApplyQuote(TView view, QuoteEvent @event, IEvent e)
    {
        switch (@event)
        {
            case QuoteDrafted d:
                (view.SourceCrm, view.CrmOpportunityId, view.CrmAccountId, view.CustomerId) = (d.SourceCrm, d.CrmOpportunityId, d.CrmAccountId, d.CustomerId);
                view.DraftedForCustomerId = d.CustomerId;
                (view.Owner, view.Region, view.Segment, view.Currency) = (d.Owner, d.Region, d.Segment, d.Currency);
                view.Revision = Sourced.From(d.Revision, e);
                view.Approval = Sourced.From(new ApprovalSummary(ApprovalProgress.NotSubmitted, null, null, false), e);
                break;
            // A changed line makes the last price calculation stale: no totals until the quote is priced again.
            case QuoteLineAdded or QuoteLineChanged or QuoteLineRemoved:
                view.Totals = null;
                break;
            case QuotePriced p:
                view.Totals = Sourced.From(new QuoteTotals(p.Snapshot.ListTotal, p.Snapshot.DiscountTotal, p.Snapshot.NetTotal, p.Snapshot.Currency), e);
                break;
            case QuoteSubmittedForApproval s:
                view.Approval = Sourced.From(new ApprovalSummary(ApprovalProgress.Pending, s.RequiredLevels.FirstOrDefault(), s.Fingerprint, false), e);
                break;
            case QuoteApproved a:
                view.Approval = Sourced.From(new ApprovalSummary(ApprovalProgress.Approved, null, a.Fingerprint, a.WithinPolicy), e);
                break;
            case QuoteRejected r:
                view.Approval = Sourced.From(new ApprovalSummary(ApprovalProgress.Rejected, null, r.Fingerprint, false), e);
                break;
            case QuoteRevised r:
                view.Revision = Sourced.From(r.Revision, e);
                view.Totals = null;
                view.Approval = Sourced.From(new ApprovalSummary(ApprovalProgress.NotSubmitted, null, null, false), e);
                break;
            case QuoteAccepted when view.Totals is { } totals:
                view.Accepted = Sourced.From(new Amount(totals.Value.NetTotal, totals.Value.Currency), e);
                break;
        }
        if (StatusAfter(@event) is { } status) view.Status = Sourced.From(status, e);
    }

    private static QuoteStatus? StatusAfter(QuoteEvent e) => e switch
    {
        QuoteDrafted or QuoteRevised => QuoteStatus.Draft,
        QuoteSubmittedForApproval => QuoteStatus.InApproval,
        QuoteApproved => QuoteStatus.Approved,
        QuoteRejected => QuoteStatus.Rejected,
        QuoteSent => QuoteStatus.Sent,
        QuoteAccepted => QuoteStatus.Accepted,
        QuoteExpired => QuoteStatus.Expired,
        QuoteWithdrawn => QuoteStatus.Withdrawn,
        QuoteConvertedToOrder => QuoteStatus.Ordered,
        _ => null,
    };

    /// <summary>The approval progress a CRM shows: the pending level moves on a grant; an invalidated approval of the current revision shows as such.</summary>
    private static void ApplyApproval(TView view, ApprovalEvent @event, IEvent e)
    {
        if (view.LevelsRequestedFor(@event.Revision) is not { } levels) return;
        switch (@event)
        {
            case ApprovalLevelGranted g when view.Approval?.Value is { Progress: ApprovalProgress.Pending } pending:
                view.Approval = Sourced.From(pending with { PendingLevel = ApprovalRules.LevelAfter(levels, g.Level) }, e);
                return;
            case ApprovalInvalidated:
                if (view.Revision?.Value == @event.Revision && view.Approval?.Value is { Progress: ApprovalProgress.Approved or ApprovalProgress.Pending } current)
                    view.Approval = Sourced.From(current with { Progress = ApprovalProgress.Invalidated, PendingLevel = null }, e);
                return;
        }
    }

    private static void ApplyOrder(TView view, OrderEvent @event, IEvent e)
    {
        switch (@event)
        {
            case OrderPlaced p:
                var q = p.Quote;
                view.SourceCrm ??= q.SourceCrm;
                view.CustomerId ??= q.CustomerId;
                view.Region ??= q.Region;
                view.Currency ??= q.Currency;
                view.Order = Sourced.From(new OrderSummary(p.OrderId, OrderProgress.Placed, new Amount(q.NetTotal, q.Currency)), e);
                break;
            case OrderAmendsContract a:
                view.AmendsContractId = a.ContractId;
                break;
            case OrderCancelled when view.Order is { } order:
                view.Order = Sourced.From(order.Value with { Progress = OrderProgress.Cancelled }, e);
                break;
            case OrderClosed when view.Order is { } order:
                view.Order = Sourced.From(order.Value with { Progress = OrderProgress.Closed }, e);
                break;
        }
    }

    private static void ApplyBilling(TView view, BillingEvent @event, IEvent e)
    {
        var current = view.Billing?.Value;
        switch (@event)
        {
            case BillingHandoffRequested:
                view.Billing = Sourced.From(new BillingSummary(BillingProgress.Requested, null, null), e);
                break;
            case BillingHandoffAcknowledged a:
                view.Billing = Sourced.From(new BillingSummary(BillingProgress.Acknowledged, a.BillingReference, new Amount(a.BilledAmount, a.Currency)), e);
                break;
            case BillingHandoffFailed:
                view.Billing = Sourced.From((current ?? new BillingSummary(BillingProgress.Failed, null, null)) with { Progress = BillingProgress.Failed }, e);
                break;
            case BillingHandoffTimedOut when current is not { Progress: BillingProgress.Acknowledged or BillingProgress.Reconciled }:
                view.Billing = Sourced.From((current ?? new BillingSummary(BillingProgress.Unconfirmed, null, null)) with { Progress = BillingProgress.Unconfirmed }, e);
                break;
            case BillingReconciled:
                view.Billing = Sourced.From((current ?? new BillingSummary(BillingProgress.Reconciled, null, null)) with { Progress = BillingProgress.Reconciled }, e);
                break;
        }
    }

    /// <summary>
    /// Routes a customer merge to the documents of that customer's quotes: those already stored (found by the customer they
    /// show now, so a merge of a merge finds them too) and those drafted earlier in the same batch.
    /// </summary>
    private sealed class MergedCustomerQuotesGrouper : IAggregateGrouper<string>
    {
        public async Task Group(IQuerySession session, IReadOnlyList<IEvent> events, IEventGrouping<string> grouping)
        {
            if (!events.Any(IsMerge)) return;
            // Quotes per customer as this batch moves them, on top of what the stored documents say.
            var quotesOf = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
            foreach (var e in events)
            {
                switch (e.Data)
                {
                    case QuoteDrafted d:
                        QuotesOf(d.CustomerId).Add(d.QuoteId);
                        break;
                    case CustomerMerged m:
                        var merged = QuotesOf(m.CustomerId);
                        var stored = await session.Query<TView>().Where(v => v.CustomerId == m.CustomerId).Select(v => v.Id).ToListAsync();
                        merged.UnionWith(stored);
                        foreach (var quoteId in merged) grouping.AddEvent(quoteId, e);
                        QuotesOf(m.IntoCustomerId).UnionWith(merged);
                        merged.Clear();
                        break;
                }
            }
            HashSet<string> QuotesOf(string customerId) => quotesOf.TryGetValue(customerId, out var q) ? q : quotesOf[customerId] = [];
        }
    }
}
