using Ledger.Domain.Approvals;
using Ledger.Domain.Quotes;
using Ledger.Domain.Reconciliation;
using Ledger.Projections.Common;

namespace Ledger.Projections.Quotes;

public sealed record QuoteTotals(decimal ListTotal, decimal DiscountTotal, decimal NetTotal, string Currency);

public enum ApprovalProgress { NotSubmitted, Pending, Approved, Rejected, Invalidated }

public sealed record ApprovalSummary(ApprovalProgress Progress, ApprovalLevel? PendingLevel, ApprovalFingerprint? Fingerprint, bool WithinPolicy);

public enum OrderProgress { Placed, Cancelled, Closed }

public sealed record OrderSummary(string OrderId, OrderProgress Progress, Amount Accepted);

public enum BillingProgress { Requested, Acknowledged, Failed, Unconfirmed, Reconciled }

public sealed record BillingSummary(BillingProgress Progress, string? Reference, Amount? Billed);

/// <summary>The levels an approval of one revision asks for, in order: what the pending level moves through.</summary>
public sealed record RequestedApproval(int Revision, IReadOnlyList<ApprovalLevel> Levels);

/// <summary>
/// What both read models of a quote know of its way to cash (the CRM's <see cref="QuoteView"/> and reconciliation's
/// <see cref="Reconciliation.QuoteReconciliation"/>), folded by the same code (<see cref="QuoteProgressFold"/>), so the two
/// cannot disagree on a status, a total or an order. Every derived value says which event it reflects.
/// </summary>
public abstract class QuoteProgress
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

    /// <summary>The last event this document reflects.</summary>
    public EventRef? Through { get; set; }

    /// <summary>The levels the last approval requested for <paramref name="revision"/> asks for; null when none was requested.</summary>
    public abstract IReadOnlyList<ApprovalLevel>? LevelsRequestedFor(int revision);
}

/// <summary>
/// One quote as its CRM sees it (ADR/0011, ADR/0029): its own ids, the canonical customer, status, revision, totals,
/// approval progress, the accepted amount, the order and where billing stands. Nothing of reconciliation: the billing
/// system's records, approval fingerprints, what the CRM reported and the discrepancies are finance's
/// (<see cref="Reconciliation.QuoteReconciliation"/>, read through <c>/reconciliation</c>).
/// </summary>
public sealed class QuoteView : QuoteProgress
{
    /// <summary>What each revision's approval asks for, in the order the requests were made.</summary>
    public List<RequestedApproval> ApprovalRequests { get; set; } = [];

    public override IReadOnlyList<ApprovalLevel>? LevelsRequestedFor(int revision) => ApprovalRequests.LastOrDefault(r => r.Revision == revision)?.Levels;
}
