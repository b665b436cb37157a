using Ledger.Projections.Common;
using Ledger.Projections.Contracts;

namespace Ledger.Projections.Reconciliation;

/// <param name="ChangeVersion">The contract version the handoff id names.</param>
public sealed record ContractBillingRecordLine(string HandoffId, int ChangeVersion, BillingRecordLine Record);

/// <summary>What a CRM last reported of the contract: the changes it shows, when it observed them, and the report's event.</summary>
public sealed record ContractCrmReport(string Crm, IReadOnlyList<Ledger.Domain.Reconciliation.CrmContractChange> Changes, NodaTime.Instant ObservedAt, EventRef Source);

/// <summary>
/// Reconciliation's model of one contract (projection <c>contract-reconciliation</c>, ADR/0029): the contract's progress as
/// the CRM's <see cref="ContractView"/> folds it (<see cref="ContractProgress"/>, the same code), plus what only
/// reconciliation reads: what the CRMs reported of the contract, the records billing reported under its changes' handoff
/// ids, and the contract rules' discrepancies (QTC-12, QTC-13, QTC-14 and the billing rules on each change's handoff).
/// The contract rules, finance's discrepancy list (its occurrence index is kept by triggers on this table), the as-of list
/// and the console read it; no CRM does. A contract billing reported but the ledger never started has this document only.
/// </summary>
public sealed class ContractReconciliation : ContractProgress
{
    /// <summary>The latest report of each CRM about this contract (<c>crm-contract-state-reported</c>).</summary>
    public List<ContractCrmReport> CrmReports { get; set; } = [];

    /// <summary>Records billing reported under one of this contract's handoff ids (<c>{contractId}-v{n}</c>), by record id.</summary>
    public List<ContractBillingRecordLine> BillingRecords { get; set; } = [];

    public List<Discrepancy> Discrepancies { get; set; } = [];
}
