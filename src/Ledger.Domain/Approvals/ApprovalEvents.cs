using Ledger.Domain.Common;
using Ledger.Domain;
using NodaTime;

namespace Ledger.Domain.Approvals;

/// <summary>Events of an approval stream (<c>approval-{quoteId}-r{revision}</c>): one per quote revision that needed approval.</summary>
[Closed]
public abstract record ApprovalEvent(string QuoteId, int Revision);

[EventName("approval-requested.v1")]
public sealed record ApprovalRequested(
    string QuoteId, int Revision, string QuoteOwner, ApprovalFingerprint Fingerprint, IReadOnlyList<ApprovalLevel> Levels,
    string Segment, string Region, Instant RequestedAt) : ApprovalEvent(QuoteId, Revision);

/// <param name="Authority">
/// New in v2 (ADR/0023): whether <paramref name="Approver"/> granted on its own authority or as a delegate, and then under
/// which delegation (who handed it on, the levels, the days). A v1 grant reads as v2 with its own authority.
/// </param>
[EventName("approval-level-granted.v2")]
public sealed record ApprovalLevelGranted(
    string QuoteId, int Revision, ApprovalLevel Level, string Approver, ApprovalFingerprint Fingerprint, Instant GrantedAt, DecisionAuthority Authority)
    : ApprovalEvent(QuoteId, Revision);

[EventName("approval-level-denied.v1")]
public sealed record ApprovalLevelDenied(
    string QuoteId, int Revision, ApprovalLevel Level, string Approver, string Reason, ApprovalFingerprint Fingerprint, Instant DeniedAt)
    : ApprovalEvent(QuoteId, Revision);

[EventName("approval-escalated.v1")]
public sealed record ApprovalEscalated(string QuoteId, int Revision, ApprovalLevel Level, string EscalatedTo, string Reason, Instant EscalatedAt)
    : ApprovalEvent(QuoteId, Revision);

/// <summary>Every required level was granted for this fingerprint.</summary>
[EventName("approval-completed.v1")]
public sealed record ApprovalCompleted(string QuoteId, int Revision, ApprovalFingerprint Fingerprint, Instant CompletedAt) : ApprovalEvent(QuoteId, Revision);

/// <summary>The approval no longer counts: the quote was revised, withdrawn or repriced under it.</summary>
[EventName("approval-invalidated.v1")]
public sealed record ApprovalInvalidated(string QuoteId, int Revision, string Reason, Instant InvalidatedAt) : ApprovalEvent(QuoteId, Revision);
