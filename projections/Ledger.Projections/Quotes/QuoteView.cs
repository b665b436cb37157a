using Ledger.Domain.Approvals;
using Ledger.Domain.Quotes;
using Ledger.Domain.Reconciliation;
using Ledger.Projections.Common;
using Ledger.Projections.Reconciliation;

namespace Ledger.Projections.Quotes;

public sealed record QuoteTotals(decimal ListTotal, decimal DiscountTotal, decimal NetTotal, string Currency);

public enum ApprovalProgress { NotSubmitted, Pending, Approved, Rejected, Invalidated }

public sealed record ApprovalSummary(ApprovalProgress Progress, ApprovalLevel? PendingLevel, ApprovalFingerprint? Fingerprint, bool WithinPolicy);

public enum OrderProgress { Placed, Cancelled, Closed }

public sealed record OrderSummary(string OrderId, OrderProgress Progress, Amount Accepted);

public enum BillingProgress { Requested, Acknowledged, Failed, Unconfirmed, Reconciled }

public sealed record BillingSummary(BillingProgress Progress, string? Reference, Amount? Billed);

public sealed record CrmReport(string Crm, string CrmOpportunityId, QuoteStatus Status, NodaTime.Instant ObservedAt);

public sealed record BillingRecordLine(string RecordId, BillingRecordKind Kind, Amount Amount, BillingRecordStatus Status, EventRef Source);

/// <summary>What an approval stream of this quote recorded: the fingerprint it completed, and whether it was invalidated.</summary>
public sealed record ApprovalTrack(int Revision, IReadOnlyList<ApprovalLevel> Levels, ApprovalFingerprint? Completed, EventRef? InvalidatedBy, EventRef Requested);

/// <summary>
/// One quote across its streams (quote, approvals, order, billing handoff, reported facts, discrepancy clearing):
/// what a CRM shows, in its own ids, and what reconciliation checks. Every derived value says which event it reflects.
/// </summary>
public sealed class QuoteView
{
    public string Id { get; set; } = "";
    public string? SourceCrm { get; set; }
    public string? CrmOpportunityId { get; set; }
    public string? CrmAccountId { get; set; }
    /// <summary>The canonical customer the quote is for now: after a merge, the surviving one.</summary>
    public string? CustomerId { get; set; }
    /// <summary>The canonical customer the quote was drafted for.</summary>
    public string? DraftedForCustomerId { get; set; }
    public string? Owner { get; set; }
    public string? Region { get; set; }
    public string? Segment { get; set; }
    public string? Currency { get; set; }

    public Sourced<QuoteStatus>? Status { get; set; }
    public Sourced<int>? Revision { get; set; }
    public Sourced<QuoteTotals>? Totals { get; set; }
    public Sourced<ApprovalSummary>? Approval { get; set; }
    /// <summary>The accepted net total, fixed when the customer accepted.</summary>
    public Sourced<Amount>? Accepted { get; set; }
    public Sourced<OrderSummary>? Order { get; set; }
    /// <summary>
    /// The contract the quote's order amends, for an amendment quote (<c>order-amends-contract</c>, ADR/0021): its delta is
    /// billed as the contract's change, so the order has no handoff of its own. Not written when null (most quotes).
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? AmendsContractId { get; set; }
    public Sourced<BillingSummary>? Billing { get; set; }
    /// <summary>What the quote's CRM last reported it shows (reported facts, not the ledger's).</summary>
    public Sourced<CrmReport>? ReportedByCrm { get; set; }
    /// <summary>What the billing system reported it holds for the order.</summary>
    public List<BillingRecordLine> BillingRecords { get; set; } = [];

    public List<ApprovalTrack> Approvals { get; set; } = [];
    /// <summary>Set when the quote was sent under an approval that no longer held (QTC-08); cleared by a sound send.</summary>
    public EventRef? SentUnderStaleApproval { get; set; }
    /// <summary>The billing system acknowledged the handoff twice under different references (QTC-09).</summary>
    public EventRef? DuplicateInvoiceDetected { get; set; }
    /// <summary>Finance reconciled billing at this billed amount; the mismatch rule accepts exactly that amount afterwards.</summary>
    public Amount? ReconciledBilled { get; set; }

    public List<Discrepancy> Discrepancies { get; set; } = [];

    /// <summary>A column of its own with a partial index, not part of the JSON: finance's list reads only the quotes that have any.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool HasDiscrepancies => Discrepancies.Count > 0;

    /// <summary>The last event this view reflects.</summary>
    public EventRef? Through { get; set; }
}
