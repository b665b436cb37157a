using Ledger.Domain.Common;
using Ledger.Domain;
using Ledger.Domain.Quotes;
using NodaTime;

namespace Ledger.Domain.Reconciliation;

/// <summary>
/// What another system says it holds: facts about those systems, kept in their own streams so that every
/// reconciliation finding can be replayed from the event store like everything else.
/// </summary>
[Closed]
public abstract record ReportedFactEvent;

/// <summary>A CRM shows this quote in this state (its own stage mapped to the ledger's quote states), as observed at <c>ObservedAt</c>.</summary>
[EventName("crm-quote-state-reported.v1")]
public sealed record CrmQuoteStateReported(
    string Crm, QuoteId QuoteId, string CrmOpportunityId, QuoteStatus Status, Instant ObservedAt, Instant ReportedAt) : ReportedFactEvent;

/// <summary>A change of a contract's terms as a CRM shows it: the contract version it made and what it was.</summary>
public sealed record CrmContractChange(int Version, Billing.ContractChangeKind Kind);

/// <summary>
/// A CRM shows this contract with these changes (amendments, renewals, a cancellation, by the version each made), as
/// observed at <c>ObservedAt</c> (ADR/0021). Compared with the contract's own changes by QTC-14.
/// </summary>
[EventName("crm-contract-state-reported.v1")]
public sealed record CrmContractStateReported(
    string Crm, ContractId ContractId, IReadOnlyList<CrmContractChange> Changes, Instant ObservedAt, Instant ReportedAt) : ReportedFactEvent;

public enum BillingRecordKind { Invoice, Subscription, CreditNote }

public enum BillingRecordStatus { Issued, Paid, Void }

/// <summary>The billing system holds this record (invoice, subscription or credit note) for an order. A later report of the same record supersedes it.</summary>
[EventName("billing-record-reported.v1")]
public sealed record BillingRecordReported(
    string RecordId, string OrderId, BillingRecordKind Kind, decimal Amount, string Currency, BillingRecordStatus Status,
    Instant ObservedAt, Instant ReportedAt) : ReportedFactEvent;

[Closed]
public abstract record ReportedFactCommand;

public sealed record ReportCrmQuoteState(string Crm, QuoteId QuoteId, string CrmOpportunityId, QuoteStatus Status, Instant ObservedAt) : ReportedFactCommand;

/// <param name="Changes">Every change the CRM shows for the contract, by version (none: it shows the contract as started).</param>
public sealed record ReportCrmContractState(string Crm, ContractId ContractId, IReadOnlyList<CrmContractChange>? Changes, Instant ObservedAt) : ReportedFactCommand;

public sealed record ReportBillingRecord(
    string RecordId, string OrderId, BillingRecordKind Kind, decimal Amount, string Currency, BillingRecordStatus Status, Instant ObservedAt)
    : ReportedFactCommand;

/// <summary>The last report a stream holds; a report that says nothing new, or is older than it, appends nothing.</summary>
public sealed record ReportedFactState(ReportedFactEvent? Last)
{
    public static readonly ReportedFactState Initial = new((ReportedFactEvent?)null);
}
