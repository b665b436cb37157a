using Ledger.Domain.Approvals;
using Ledger.Projections.Common;

namespace Ledger.Projections.Approvals;

public enum ApprovalQueueStatus { Pending, Completed, Denied, Invalidated }

public sealed record GrantedLevel(ApprovalLevel Level, string Approver, EventRef Source);

/// <summary>
/// One approval request (one quote revision): which level it waits for, which approver group that is, since when,
/// and the fingerprint (revision, pricing hash, policy) an approver is asked to approve.
/// </summary>
public sealed class ApprovalQueueItem
{
    public string Id { get; set; } = "";
    public string QuoteId { get; set; } = "";
    public int Revision { get; set; }
    public string QuoteOwner { get; set; } = "";
    public string Segment { get; set; } = "";
    public string Region { get; set; } = "";
    public ApprovalFingerprint? Fingerprint { get; set; }
    public List<ApprovalLevel> Levels { get; set; } = [];
    public List<GrantedLevel> Granted { get; set; } = [];
    public ApprovalQueueStatus Status { get; set; }
    public ApprovalLevel? PendingLevel { get; set; }
    public string? ApproverGroup { get; set; }
    public EventRef? RequestedBy { get; set; }
    /// <summary>When the pending level started waiting: its age is measured from here.</summary>
    public EventRef? PendingSince { get; set; }
    public EventRef? Through { get; set; }
}
