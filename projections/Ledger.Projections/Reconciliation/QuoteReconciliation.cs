using Ledger.Domain.Approvals;
using Ledger.Domain.Quotes;
using Ledger.Domain.Reconciliation;
using Ledger.Projections.Common;
using Ledger.Projections.Quotes;

namespace Ledger.Projections.Reconciliation;

public sealed record CrmReport(string Crm, string CrmOpportunityId, QuoteStatus Status, NodaTime.Instant ObservedAt);

public sealed record BillingRecordLine(string RecordId, BillingRecordKind Kind, Amount Amount, BillingRecordStatus Status, EventRef Source);

/// <summary>What an approval stream of this quote recorded: the fingerprint it completed, and whether it was invalidated.</summary>
public sealed record ApprovalTrack(int Revision, IReadOnlyList<ApprovalLevel> Levels, ApprovalFingerprint? Completed, EventRef? InvalidatedBy, EventRef Requested);

/// <summary>
/// Reconciliation's model of one quote (ADR/0029): the quote's way to cash as the CRM's view folds it
/// (<see cref="QuoteProgress"/>, the same code), plus what only reconciliation reads: what the billing system and the CRM
/// reported, the approval streams' fingerprints, the stale-approval and duplicate-invoice markers, the amount finance
/// reconciled, and the quote's discrepancy book. The quote rules, finance's discrepancy list (its occurrence index is kept
/// by triggers on this table) and the revenue summary read it; no CRM does.
/// </summary>
public sealed class QuoteReconciliation : QuoteProgress
{
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

    public override IReadOnlyList<ApprovalLevel>? LevelsRequestedFor(int revision) => Approvals.LastOrDefault(t => t.Revision == revision)?.Levels;
}
