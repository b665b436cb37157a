using Ledger.Application.Commands;
using Ledger.Domain.Approvals;
using Ledger.Domain.Quotes;

namespace Ledger.Application.Reactions;

/// <summary>
/// The approval stream's outcome moves its quote: completed approves it, a denied level rejects it. Both carry the
/// fingerprint the approvers decided on, so a quote changed meanwhile refuses them (stale fingerprint).
/// </summary>
public static class ApprovalOutcomes
{
    public static readonly IReactor Reactor = new Reactor<ApprovalCommand, ApprovalEvent, ApprovalState>(
        "approval-outcomes", e => Streams.Approval(e.QuoteId, e.Revision), React,
        typeof(ApprovalCompleted), typeof(ApprovalLevelDenied));

    public static IEnumerable<Reaction> React(ApprovalEvent @event, ApprovalState before)
    {
        switch (@event)
        {
            case ApprovalCompleted e:
                yield return Reaction.Decide.On(new ApproveQuote(e.QuoteId, e.Fingerprint, $"approval:{ApprovalDecider.StreamId(e.QuoteId, e.Revision)}"));
                break;
            case ApprovalLevelDenied e:
                yield return Reaction.Decide.On(new RejectQuote(e.QuoteId, e.Fingerprint, e.Approver, e.Reason));
                break;
        }
    }
}
