using Marten;
using JasperFx.Events.Grouping;
using JasperFx.Events;
using Ledger.Domain.Billing;
using Ledger.Domain.Contracts;
using Ledger.Domain.Reconciliation;
using Ledger.Projections.Common;
using Ledger.Projections.Contracts;

namespace Ledger.Projections.Reconciliation;

/// <summary>
/// Reconciliation's model of each contract (ADR/0029): the shared progress of <see cref="ContractProgressProjection{TView}"/>,
/// plus the reported facts (CRM reports, billing records) and finance's clearing; after every event the contract rules
/// (<see cref="ContractRules"/>) keep its discrepancy book.
/// </summary>
public sealed class ContractReconciliationProjection : ContractProgressProjection<ContractReconciliation>
{
    public const string ProjectionName = "contract-reconciliation";

    public ContractReconciliationProjection() : base(ProjectionName)
    {
        Identities<BillingRecordReported>(e => ContractStreams.ContractIdOf(e) is { } id ? [id] : []);
        Identities<DiscrepancyEvent>(e => ContractStreams.ContractIdOf(e) is { } id ? [id] : []);
        Identity<CrmContractStateReported>(e => e.ContractId);
        ConcreteEventTypes.Include(this, typeof(ContractEvent), typeof(BillingEvent), typeof(BillingRecordReported), typeof(DiscrepancyEvent), typeof(CrmContractStateReported));
    }

    /// <summary>The occurrence index's rows of the batch's models, kept once per batch (<see cref="DiscrepancyRows.KeptByBatch{TView}"/>).</summary>
    public override Task EnrichEventsAsync(SliceGroup<ContractReconciliation, string> group, IQuerySession querySession, CancellationToken cancellation)
    {
        DiscrepancyRows.KeptByBatch(group, querySession);
        return base.EnrichEventsAsync(group, querySession, cancellation);
    }

    protected override void Follow(ContractReconciliation view, IEvent e)
    {
        switch (e.Data)
        {
            case CrmContractStateReported r:
                view.CrmReports.RemoveAll(c => c.Crm == r.Crm);
                view.CrmReports.Add(new ContractCrmReport(r.Crm, r.Changes, r.ObservedAt, EventRef.Of(e)));
                break;
            case BillingRecordReported r:
                view.BillingRecords.RemoveAll(b => b.Record.RecordId == r.RecordId);
                view.BillingRecords.Add(new ContractBillingRecordLine(r.OrderId, ContractStreams.Handoff(r.OrderId).Version,
                    new BillingRecordLine(r.RecordId, r.Kind, new Amount(r.Amount, r.Currency), r.Status, EventRef.Of(e))));
                break;
        }
    }

    protected override ContractReconciliation Settle(ContractReconciliation view, string id, IEvent e)
    {
        if (e.Data is DiscrepancyEvent) DiscrepancyBook.Clear(view.Discrepancies, e);
        else DiscrepancyBook.Reconcile(view.Discrepancies, id, view.SourceCrm is { } crm ? [crm] : [], ContractRules.Findings(view), ContractRules.Rules, e);
        return view;
    }
}
