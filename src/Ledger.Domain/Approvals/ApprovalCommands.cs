using Ledger.Domain.Common;
namespace Ledger.Domain.Approvals;

[Closed]
public abstract record ApprovalCommand(string QuoteId, int Revision);

public sealed record RequestApproval(
    string QuoteId, int Revision, string QuoteOwner, ApprovalFingerprint Fingerprint, IReadOnlyList<ApprovalLevel> Levels, string Segment, string Region)
    : ApprovalCommand(QuoteId, Revision), IStartsStream;

/// <param name="QuoteFingerprint">The quote's fingerprint now, loaded by the caller: an approval of anything else does not count.</param>
public sealed record GrantApproval(string QuoteId, int Revision, ApprovalLevel Level, string Approver, ApprovalFingerprint? QuoteFingerprint)
    : ApprovalCommand(QuoteId, Revision);

public sealed record DenyApproval(string QuoteId, int Revision, ApprovalLevel Level, string Approver, string Reason, ApprovalFingerprint? QuoteFingerprint)
    : ApprovalCommand(QuoteId, Revision);

public sealed record EscalateApproval(string QuoteId, int Revision, ApprovalLevel Level, string EscalatedTo, string Reason)
    : ApprovalCommand(QuoteId, Revision);

public sealed record InvalidateApproval(string QuoteId, int Revision, string Reason) : ApprovalCommand(QuoteId, Revision);
