using Ledger.Application.Commands;
using Ledger.Domain.Approvals;
using Ledger.Domain.Contracts;
using Ledger.Domain.Quotes;
using Ledger.Domain.Common;

namespace Ledger.Application.Reactions;

/// <summary>
/// The approval stream's outcome moves its quote: completed approves it, a denied level rejects it. Both carry the
/// fingerprint the approvers decided on, so a quote changed meanwhile refuses them (stale fingerprint). An approval stream
/// of a contract's amendment (ADR/0021) moves the contract instead: completed applies the amendment, denied drops it.
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
            // The approval's subject is a contract (a direct amendment) or a quote: here its id becomes the one or the other.
            case ApprovalCompleted e when ContractDecider.IsContractId(e.QuoteId):
                yield return Reaction.Decide.On(new ApplyApprovedAmendment(new ContractId(e.QuoteId), e.Fingerprint));
                break;
            case ApprovalLevelDenied e when ContractDecider.IsContractId(e.QuoteId):
                yield return Reaction.Decide.On(new RejectContractAmendment(new ContractId(e.QuoteId), e.Fingerprint, e.Approver, e.Reason));
                break;
            case ApprovalCompleted e:
                yield return Reaction.Decide.On(new ApproveQuote(new QuoteId(e.QuoteId), e.Fingerprint, $"approval:{ApprovalDecider.StreamId(e.QuoteId, e.Revision)}"));
                break;
            case ApprovalLevelDenied e:
                yield return Reaction.Decide.On(new RejectQuote(new QuoteId(e.QuoteId), e.Fingerprint, e.Approver, e.Reason));
                break;
        }
    }
}
