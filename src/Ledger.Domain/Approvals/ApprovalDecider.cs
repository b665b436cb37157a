using System.Collections.Immutable;
using Ledger.Domain.Common;
using NodaTime;

namespace Ledger.Domain.Approvals;

public enum ApprovalStatus { None, Pending, Approved, Denied, Invalidated }

public sealed record ApprovalState(
    ApprovalStatus Status,
    ApprovalRequested? Request,
    ImmutableList<ApprovalLevelGranted> Granted,
    ImmutableList<ApprovalEscalated> Escalations)
{
    public static readonly ApprovalState Initial = new(ApprovalStatus.None, null, [], []);

    /// <summary>The level whose decision is due: levels are granted in the policy's order.</summary>
    public ApprovalLevel? PendingLevel =>
        Status == ApprovalStatus.Pending ? Request!.Levels.FirstOrDefault(l => Granted.All(g => g.Level != l)) : null;
}

/// <summary>
/// Approval of one quote revision: levels in order, never by the quote's owner (segregation of duties), and only
/// while the quote still has the fingerprint that was submitted.
/// </summary>
public static class ApprovalDecider
{
    public static string StreamId(string quoteId, int revision) => $"approval-{quoteId}-r{revision}";

    public static ApprovalState Initial => ApprovalState.Initial;

    public static ApprovalState Evolve(ApprovalState state, ApprovalEvent @event) => @event switch
    {
        ApprovalRequested e => state with { Status = ApprovalStatus.Pending, Request = e },
        ApprovalLevelGranted e => state with { Granted = state.Granted.Add(e) },
        ApprovalLevelDenied => state with { Status = ApprovalStatus.Denied },
        ApprovalEscalated e => state with { Escalations = state.Escalations.Add(e) },
        ApprovalCompleted => state with { Status = ApprovalStatus.Approved },
        ApprovalInvalidated => state with { Status = ApprovalStatus.Invalidated },
        _ => throw new ArgumentOutOfRangeException(nameof(@event), @event.GetType().Name, "Unknown approval event."),
    };

    public static Decision<ApprovalEvent> Decide(ApprovalCommand command, ApprovalState state, Instant now)
    {
        return command switch
        {
            RequestApproval c => Request(c, state, now),
            GrantApproval c => Grant(c, state, now),
            DenyApproval c => Deny(c, state, now),
            EscalateApproval c => Escalate(c, state, now),
            InvalidateApproval c => Invalidate(c, state, now),
            _ => throw new ArgumentOutOfRangeException(nameof(command), command.GetType().Name, "Unknown approval command."),
        };
    }

    private static Decision<ApprovalEvent> Request(RequestApproval c, ApprovalState state, Instant now)
    {
        if (state.Status != ApprovalStatus.None)
            return state.Request!.Fingerprint == c.Fingerprint
                ? Decision<ApprovalEvent>.Nothing
                : Decision<ApprovalEvent>.Refuse(RefusalKind.Conflict, "approval.already-requested", $"Revision {c.Revision} already has an approval request.");
        if (c.Levels.Count == 0)
            return Decision<ApprovalEvent>.Invalid("levels", "approval.levels-required", "An approval request needs at least one level; a quote within policy needs none.");
        if (c.Levels.Distinct().Count() != c.Levels.Count || !c.Levels.SequenceEqual(c.Levels.Order()))
            return Decision<ApprovalEvent>.Invalid("levels", "approval.levels-out-of-order", "Levels are listed once each, from deal desk to CFO.");
        return Decision<ApprovalEvent>.Of(new ApprovalRequested(c.QuoteId, c.Revision, c.QuoteOwner, c.Fingerprint, c.Levels, c.Segment, c.Region, now));
    }

    private static Decision<ApprovalEvent> Grant(GrantApproval c, ApprovalState state, Instant now)
    {
        if (state.Granted.FirstOrDefault(g => g.Level == c.Level) is { } granted)
            return granted.Approver == c.Approver
                ? Decision<ApprovalEvent>.Nothing
                : Decision<ApprovalEvent>.Refuse(RefusalKind.Conflict, "approval.level-already-decided",
                    $"{c.Level} was already granted by {granted.Approver}; it counts once.", "level");
        if (Decidable(state, c.Level, c.Approver, c.QuoteFingerprint, c.Authority, now) is { } refused) return refused;

        // Decidable has checked that the principal holds authority over the level today: record which.
        var authority = (c.Authority ?? ApproverAuthority.None).On(c.Level, now.InUtc().Date)!;
        var grant = new ApprovalLevelGranted(c.QuoteId, c.Revision, c.Level, c.Approver, state.Request!.Fingerprint, now, authority);
        var last = state.Request.Levels[^1] == c.Level;
        return last
            ? Decision<ApprovalEvent>.Of(grant, new ApprovalCompleted(c.QuoteId, c.Revision, state.Request.Fingerprint, now))
            : Decision<ApprovalEvent>.Of(grant);
    }

    private static Decision<ApprovalEvent> Deny(DenyApproval c, ApprovalState state, Instant now)
    {
        if (string.IsNullOrWhiteSpace(c.Reason))
            return Decision<ApprovalEvent>.Invalid("reason", "approval.reason-required", "A denial needs a reason.");
        if (Decidable(state, c.Level, c.Approver, c.QuoteFingerprint, c.Authority, now) is { } refused) return refused;
        return Decision<ApprovalEvent>.Of(new ApprovalLevelDenied(c.QuoteId, c.Revision, c.Level, c.Approver, c.Reason, state.Request!.Fingerprint, now));
    }

    private static Decision<ApprovalEvent> Escalate(EscalateApproval c, ApprovalState state, Instant now)
    {
        if (state.Status != ApprovalStatus.Pending) return NotPending(state);
        if (state.PendingLevel != c.Level)
            return Decision<ApprovalEvent>.Refuse(RefusalKind.Conflict, "approval.level-not-pending", $"{c.Level} is not the level waiting for a decision.", "level");
        if (string.IsNullOrWhiteSpace(c.EscalatedTo))
            return Decision<ApprovalEvent>.Invalid("escalatedTo", "approval.field-required", "escalatedTo is required.");
        if (Ids.CheckLength(("escalatedTo", c.EscalatedTo), ("reason", c.Reason)) is { } tooLong)
            return Decision<ApprovalEvent>.Invalid(tooLong.Field!, "approval." + tooLong.Code, tooLong.Message);
        // The owner neither hands its own quote's approval on nor receives it: escalation is one more path to deciding.
        if (c.EscalatedBy == state.Request!.QuoteOwner || c.EscalatedTo == state.Request.QuoteOwner)
            return Decision<ApprovalEvent>.Refuse(RefusalKind.RuleViolation, "approval.self-approval",
                $"{state.Request.QuoteOwner} owns this quote and takes no part in its approval (segregation of duties).",
                c.EscalatedBy == state.Request.QuoteOwner ? "escalatedBy" : "escalatedTo");
        return Decision<ApprovalEvent>.Of(new ApprovalEscalated(c.QuoteId, c.Revision, c.Level, c.EscalatedTo, c.Reason, now));
    }

    private static Decision<ApprovalEvent> Invalidate(InvalidateApproval c, ApprovalState state, Instant now) =>
        state.Status switch
        {
            ApprovalStatus.Invalidated => Decision<ApprovalEvent>.Nothing,
            ApprovalStatus.Pending or ApprovalStatus.Approved => Decision<ApprovalEvent>.Of(new ApprovalInvalidated(c.QuoteId, c.Revision, c.Reason, now)),
            _ => NotPending(state),
        };

    /// <summary>The rules every grant or denial must pass.</summary>
    private static Decision<ApprovalEvent>? Decidable(ApprovalState state, ApprovalLevel level, string approver, ApprovalFingerprint? quoteFingerprint,
        ApproverAuthority? authority, Instant now)
    {
        if (state.Status != ApprovalStatus.Pending) return NotPending(state);
        if (string.IsNullOrWhiteSpace(approver))
            return Decision<ApprovalEvent>.Invalid("approver", "approval.field-required", "approver is required.");
        if (approver == state.Request!.QuoteOwner)
            return Decision<ApprovalEvent>.Refuse(RefusalKind.RuleViolation, "approval.self-approval",
                $"{approver} owns this quote and cannot decide its approval (segregation of duties).", "approver");
        if (!state.Request.Levels.Contains(level))
            return Decision<ApprovalEvent>.Refuse(RefusalKind.RuleViolation, "approval.level-not-required", $"This approval does not need {level}.", "level");
        if (state.PendingLevel != level)
            return Decision<ApprovalEvent>.Refuse(RefusalKind.RuleViolation, "approval.level-out-of-order",
                $"{state.PendingLevel} decides before {level}.", "level");
        // An escalated level is decided by whom it was escalated to, and by nobody else.
        if (state.Escalations.LastOrDefault(e => e.Level == level) is { } escalated && escalated.EscalatedTo != approver)
            return Decision<ApprovalEvent>.Refuse(RefusalKind.RuleViolation, "approval.escalated-to-another",
                $"{level} was escalated to {escalated.EscalatedTo}; only they decide it now.", "level");
        var today = now.InUtc().Date;
        if (!(authority ?? ApproverAuthority.None).MayDecide(level, today))
            return Decision<ApprovalEvent>.Refuse(RefusalKind.RuleViolation, "approval.authority-missing",
                $"{approver} holds no authority over {level} on {today} (neither its own nor delegated).", "level");
        if (quoteFingerprint != state.Request.Fingerprint)
            return Decision<ApprovalEvent>.Refuse(RefusalKind.RuleViolation, "approval.fingerprint-stale",
                $"This approval is for {state.Request.Fingerprint}, but the quote is now {quoteFingerprint?.ToString() ?? "unpriced"}; it no longer counts.");
        return null;
    }

    private static Decision<ApprovalEvent> NotPending(ApprovalState state) =>
        Decision<ApprovalEvent>.Refuse(RefusalKind.Conflict, "approval.not-pending", $"The approval is {state.Status}, not pending.");
}
