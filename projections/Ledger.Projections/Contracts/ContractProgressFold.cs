using JasperFx.Events;
using Ledger.Domain.Billing;
using Ledger.Domain.Common;
using Ledger.Domain.Contracts;
using Ledger.Domain.Reconciliation;
using Ledger.Projections.Common;
using Ledger.Projections.Quotes;
using Ledger.Projections.Rebuilds;
using Marten.Events.Projections;

namespace Ledger.Projections.Contracts;

/// <summary>
/// Which contract an event is about: its own stream, the billing streams of its changes (<c>billing-{contractId}-v{n}</c>),
/// the records billing reports under a change's handoff id, a contract rule's discrepancy, a CRM's report of the contract.
/// </summary>
public static class ContractStreams
{
    /// <summary>The contract an event is about: its own, the one whose change a billing handoff bills, or the subject of a contract rule.</summary>
    public static string? ContractIdOf(object data) => data switch
    {
        ContractEvent e => e.ContractId,
        BillingEvent e when ContractDecider.IsContractBillingHandoff(e.OrderId) => Handoff(e.OrderId).ContractId,
        BillingRecordReported e when ContractDecider.IsContractBillingHandoff(e.OrderId) => Handoff(e.OrderId).ContractId,
        DiscrepancyEvent e when ContractDecider.IsContractId(e.Subject) => e.Subject,
        CrmContractStateReported e => e.ContractId,
        _ => null,
    };

    /// <summary><c>ctr-Q-1-v3</c> → (<c>ctr-Q-1</c>, 3); an id without a version suffix is the contract itself, version 0.</summary>
    public static (string ContractId, int Version) Handoff(string handoffId)
    {
        var at = handoffId.LastIndexOf("-v", StringComparison.Ordinal);
        return at > 0 && int.TryParse(handoffId[(at + 2)..], out var version) ? (handoffId[..at], version) : (handoffId, 0);
    }
}

/// <summary>
/// Folds what both contract documents follow (the contract stream and the billing handoffs of its changes) into a
/// <see cref="ContractProgress"/> (ADR/0029); each projection then adds what only it keeps (<see cref="Follow"/>), and
/// reconciliation runs its rules (<see cref="Settle"/>). An explicit <see cref="Evolve"/>, like the quote documents'.
/// </summary>
public abstract class ContractProgressProjection<TView> : MultiStreamProjection<TView, string>, IRebuildSlicing where TView : ContractProgress, new()
{
    protected ContractProgressProjection(string name)
    {
        Name = name;
        Identity<ContractEvent>(e => e.ContractId);
        Identities<BillingEvent>(e => ContractStreams.ContractIdOf(e) is { } id ? [id] : []);
    }

    /// <summary>Every event names its contract.</summary>
    public bool ReadsStoredDocuments(IEvent e) => false;

    public override TView Evolve(TView? snapshot, string id, IEvent e)
    {
        var view = snapshot ?? new TView { Id = id };
        if (Movement(view, e) is { } movement) view.Movements.Add(movement);
        switch (e.Data)
        {
            case ContractStarted s:
                (view.QuoteId, view.OrderId, view.SourceCrm, view.CustomerId, view.Currency) = (s.QuoteId, s.OrderId, s.SourceCrm, s.CustomerId, s.Currency);
                (view.ContractVersion, view.StartDate, view.EndDate, view.Lines, view.TermNetTotal) = (s.Version, s.StartDate, s.EndDate, [.. s.Lines], s.TermNetTotal);
                view.Status = Sourced.From(ContractStatus.Active, e);
                break;
            case ContractAmended a:
                Amend(view, a.Version, a.Changes, a.Currency);
                break;
            case ContractAmendedByQuote aq:
                Amend(view, aq.Version, aq.Changes, aq.Currency);
                if (view.AmendmentQuotes.FirstOrDefault(q => q.QuoteId == aq.QuoteId) is { } amending)
                    (amending.OrderId, amending.AmendedVersion, amending.Amended) = (aq.OrderId, aq.Version, EventRef.Of(e));
                break;
            case ContractAmendmentQuoted q when view.AmendmentQuotes.All(a => a.QuoteId != q.QuoteId):
                view.AmendmentQuotes.Add(new ContractAmendmentQuote
                {
                    QuoteId = q.QuoteId, BasedOnVersion = q.BasedOnVersion, EffectiveDate = q.EffectiveDate, Drafted = EventRef.Of(e),
                });
                break;
            case ContractRenewed r:
                (view.ContractVersion, view.StartDate, view.EndDate, view.Lines, view.TermNetTotal) = (r.Version, r.StartDate, r.EndDate, [.. r.Lines], r.TermNetTotal);
                break;
            case ContractRenewedByQuote q:
                (view.ContractVersion, view.StartDate, view.EndDate, view.Lines, view.TermNetTotal) = (q.Version, q.StartDate, q.EndDate, [.. q.Lines], q.TermNetTotal);
                if (RenewalQuote(view, q.QuoteId) is { } renewing)
                    (renewing.OrderId, renewing.RenewedVersion, renewing.TermStartDate, renewing.TermEndDate, renewing.Renewed) =
                        (q.OrderId, q.Version, q.StartDate, q.EndDate, EventRef.Of(e));
                break;
            case ContractRenewalQuoted rq when RenewalQuote(view, rq.RenewalQuoteId) is null:
                view.RenewalQuotes.Add(new ContractRenewalQuote { QuoteId = rq.RenewalQuoteId, RenewsTermEnding = rq.EndDate, Drafted = EventRef.Of(e) });
                break;
            case ContractExpired x:
                view.ContractVersion = x.Version;
                view.Status = Sourced.From(ContractStatus.Expired, e);
                break;
            case ContractCancelled c:
                view.ContractVersion = c.Version;
                view.Status = Sourced.From(ContractStatus.Cancelled, e);
                break;
            case BillingEvent billing when Change(view, billing.OrderId) is { } change:
                ApplyBilling(change, billing, e);
                break;
        }
        if (e.Data is ContractEvent ce && ContractDecider.BillableOf(ce) is { } billable)
            view.Changes.Add(new ContractChangeLine
            {
                Version = view.ContractVersion, Kind = billable.Kind, HandoffId = ContractDecider.BillingHandoffIdFor(new ContractId(id), view.ContractVersion),
                Expected = new Amount(billable.Amount, view.Currency ?? ""), Source = EventRef.Of(e),
            });
        if (ChangeKindOf(e.Data) is { } kind) view.ChangesMade.Add(new ContractChangeMade(view.ContractVersion, kind, EventRef.Of(e)));
        Follow(view, e);
        view.Through = EventRef.Of(e);
        return Settle(view, id, e);
    }

    /// <summary>What the projection keeps of the event besides the shared progress (run after it, with the progress already moved).</summary>
    protected virtual void Follow(TView view, IEvent e) { }

    /// <summary>The last step after every event (reconciliation runs the contract rules here).</summary>
    protected virtual TView Settle(TView view, string id, IEvent e) => view;

    /// <summary>
    /// The whole-term net value a contract event moves (before the view takes the event): a start is new, an amendment's
    /// term delta expansion or contraction, a renewed term renewal, the term lost by a cancellation or expiry churn.
    /// </summary>
    private static ContractMovement? Movement(TView view, IEvent e)
    {
        var source = EventRef.Of(e);
        return e.Data switch
        {
            ContractStarted s => new ContractMovement(ContractMovementKind.New, s.TermNetTotal, source),
            ContractAmended a when a.Changes.Sum(c => c.TermNetDelta) is var delta && delta != 0 =>
                new ContractMovement(delta > 0 ? ContractMovementKind.Expansion : ContractMovementKind.Contraction, delta, source),
            ContractAmendedByQuote a when a.Changes.Sum(c => c.TermNetDelta) is var delta && delta != 0 =>
                new ContractMovement(delta > 0 ? ContractMovementKind.Expansion : ContractMovementKind.Contraction, delta, source),
            ContractRenewed r => new ContractMovement(ContractMovementKind.Renewal, r.TermNetTotal, source),
            ContractRenewedByQuote q => new ContractMovement(ContractMovementKind.Renewal, q.TermNetTotal, source),
            ContractCancelled or ContractExpired => new ContractMovement(ContractMovementKind.Churn, -view.TermNetTotal, source),
            _ => null,
        };
    }

    private static void Amend(TView view, int version, IReadOnlyList<ContractLineChange> changes, string currency)
    {
        view.ContractVersion = version;
        view.Lines = changes.Aggregate(view.Lines, (lines, ch) =>
        {
            var line = new ContractLine(ch.LineId, ch.ProductOfferingId, ch.CatalogVersion, ch.Quantity, ch.ListPrice, ch.DiscountPercent,
                Proration.TermNet(currency, ch.ListPrice, ch.Quantity, ch.DiscountPercent));
            return [.. lines.Where(l => l.LineId != ch.LineId), .. ch.Quantity == 0 ? Array.Empty<ContractLine>() : [line]];
        }).OrderBy(l => l.LineId, StringComparer.Ordinal).ToList();
        view.TermNetTotal = view.Lines.Sum(l => l.TermNetAmount);
    }

    /// <summary>
    /// A change's handoff as billing answers it, as the quote view follows an order's (QTC-03/04/11 watch both): requested,
    /// acknowledged (its first acknowledgement is the one kept), failed, unconfirmed at its deadline unless answered, reconciled by finance.
    /// </summary>
    private static void ApplyBilling(ContractChangeLine change, BillingEvent billing, IEvent e)
    {
        switch (billing)
        {
            case BillingHandoffRequested:
                change.Billing = Sourced.From(BillingProgress.Requested, e);
                break;
            case BillingHandoffAcknowledged ack:
                if (change.AcknowledgedBy is null)
                    (change.BillingReference, change.Acknowledged, change.AcknowledgedBy) = (ack.BillingReference, new Amount(ack.BilledAmount, ack.Currency), EventRef.Of(e));
                change.Billing = Sourced.From(BillingProgress.Acknowledged, e);
                break;
            case BillingHandoffFailed:
                change.Billing = Sourced.From(BillingProgress.Failed, e);
                break;
            case BillingHandoffTimedOut when change.Billing?.Value is not (BillingProgress.Acknowledged or BillingProgress.Reconciled):
                change.Billing = Sourced.From(BillingProgress.Unconfirmed, e);
                break;
            case BillingReconciled:
                change.Billing = Sourced.From(BillingProgress.Reconciled, e);
                break;
        }
    }

    /// <summary>What a CRM would show of a change of terms: a renewal by quote is a renewal as any other.</summary>
    private static ContractChangeKind? ChangeKindOf(object data) => data switch
    {
        ContractAmended or ContractAmendedByQuote => ContractChangeKind.Amendment,
        ContractRenewed or ContractRenewedByQuote => ContractChangeKind.Renewal,
        ContractCancelled => ContractChangeKind.Cancellation,
        _ => null,
    };

    private static ContractRenewalQuote? RenewalQuote(TView view, string quoteId) => view.RenewalQuotes.FirstOrDefault(r => r.QuoteId == quoteId);

    private static ContractChangeLine? Change(TView view, string handoffId) => view.Changes.FirstOrDefault(c => c.HandoffId == handoffId);
}
