using Ledger.Application.Commands;
using Ledger.Domain.Approvals;
using Ledger.Domain.Quotes;
using Ledger.Domain.Common;

namespace Ledger.Application.Reactions;

/// <summary>
/// A quote revision that needs approval gets its approval stream; a revision that ends (revised, withdrawn) takes
/// its pending or granted approval with it, so it can no longer back what is sent.
/// </summary>
public static class ApprovalRequests
{
    public static readonly IReactor Reactor = new Reactor<QuoteCommand, QuoteEvent, QuoteState>(
        "approval-requests", e => Streams.Quote(e.QuoteId), React,
        typeof(QuoteSubmittedForApproval), typeof(QuoteRevised), typeof(QuoteWithdrawn));

    public static IEnumerable<Reaction> React(QuoteEvent @event, QuoteState before)
    {
        switch (@event)
        {
            case QuoteSubmittedForApproval { RequiredLevels.Count: > 0 } e when before.Draft is { } draft:
                yield return Reaction.Decide.On(new RequestApproval(e.QuoteId, e.Revision, draft.Owner, e.Fingerprint, e.RequiredLevels,
                    draft.Segment, draft.Region));
                break;
            case QuoteRevised e when NeedsInvalidating(before):
                yield return Reaction.Decide.On(new InvalidateApproval(e.QuoteId, e.PreviousRevision, $"Quote revised: {e.Reason}"));
                break;
            case QuoteWithdrawn e when NeedsInvalidating(before):
                yield return Reaction.Decide.On(new InvalidateApproval(e.QuoteId, e.Revision, $"Quote withdrawn: {e.Reason}"));
                break;
        }
    }

    /// <summary>The ending revision asked for approval and was not turned down (a denied approval is over already).</summary>
    private static bool NeedsInvalidating(QuoteState before) =>
        before.RequiredLevels.Count > 0 && before.Status != QuoteStatus.Rejected;
}
