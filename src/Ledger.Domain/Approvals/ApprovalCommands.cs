using Ledger.Domain.Common;
namespace Ledger.Domain.Approvals;

[Closed]
public abstract record ApprovalCommand(string QuoteId, int Revision);

public sealed record RequestApproval(
    string QuoteId, int Revision, string QuoteOwner, ApprovalFingerprint Fingerprint, IReadOnlyList<ApprovalLevel> Levels, string Segment, string Region)
    : ApprovalCommand(QuoteId, Revision), IStartsStream;

/// <param name="Approver">The authenticated principal deciding (ADR/0023), never a name the request carries.</param>
/// <param name="QuoteFingerprint">The quote's fingerprint now, loaded by the caller: an approval of anything else does not count.</param>
/// <param name="Authority">What <paramref name="Approver"/> may decide, from configuration; null: nothing.</param>
public sealed record GrantApproval(string QuoteId, int Revision, ApprovalLevel Level, string Approver, ApprovalFingerprint? QuoteFingerprint,
    ApproverAuthority? Authority) : ApprovalCommand(QuoteId, Revision);

public sealed record DenyApproval(string QuoteId, int Revision, ApprovalLevel Level, string Approver, string Reason, ApprovalFingerprint? QuoteFingerprint,
    ApproverAuthority? Authority) : ApprovalCommand(QuoteId, Revision);

/// <param name="EscalatedBy">The authenticated principal handing the level on.</param>
public sealed record EscalateApproval(string QuoteId, int Revision, ApprovalLevel Level, string EscalatedTo, string Reason, string EscalatedBy)
    : ApprovalCommand(QuoteId, Revision);

public sealed record InvalidateApproval(string QuoteId, int Revision, string Reason) : ApprovalCommand(QuoteId, Revision);
