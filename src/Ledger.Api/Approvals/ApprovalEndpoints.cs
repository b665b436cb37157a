using Ledger.Api.Commands;
using Ledger.Api.Security;
using Ledger.Application.Commands;
using Ledger.Domain.Approvals;
using Ledger.Domain.Quotes;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Ledger.Api.Approvals;

/// <param name="Approver">The person deciding; never the quote's owner.</param>
public sealed record ApprovalDecisionRequest(ApprovalLevel Level, string Approver, string? Reason);

public sealed record EscalationRequest(ApprovalLevel Level, string EscalatedTo, string Reason);

/// <summary>
/// Approvers decide one level of one quote revision. The quote's current fingerprint is consulted here and checked by
/// the approval decider; when the last level is granted the quote is approved, when one is denied it is rejected, in
/// the same unit.
/// </summary>
public static class ApprovalEndpoints
{
    [WolverinePost("/approvals/{quoteId}/{revision}/grant"), Authorize(Roles = LedgerRoles.Approver)]
    public static Task<IResult> Grant(string quoteId, int revision, ApprovalDecisionRequest request, CommandRunner commands, HttpContext context) =>
        commands.Answer(context, async (unit, ct) =>
        {
            var quote = await unit.Load(Streams.Quote(quoteId), ct);
            var approval = await unit.Load(Streams.Approval(quoteId, revision), ct);
            var (result, after) = await unit.DecideAndEvolve(approval,
                new GrantApproval(quoteId, revision, request.Level, request.Approver, quote.State.CurrentFingerprint), ct);
            if (result is CommandResult.Appended && after is { Status: ApprovalStatus.Approved, Request: { } approved })
                await unit.Decide(quote, new ApproveQuote(quoteId, approved.Fingerprint, $"approval:{approval.Stream.Id}"), ct);
            return result;
        });

    [WolverinePost("/approvals/{quoteId}/{revision}/deny"), Authorize(Roles = LedgerRoles.Approver)]
    public static Task<IResult> Deny(string quoteId, int revision, ApprovalDecisionRequest request, CommandRunner commands, HttpContext context) =>
        commands.Answer(context, async (unit, ct) =>
        {
            var quote = await unit.Load(Streams.Quote(quoteId), ct);
            var result = await unit.Decide(Streams.Approval(quoteId, revision),
                _ => new DenyApproval(quoteId, revision, request.Level, request.Approver, request.Reason ?? "", quote.State.CurrentFingerprint), ct);
            if (result is CommandResult.Appended && quote.State is { Status: QuoteStatus.InApproval, SubmittedFingerprint: { } fingerprint })
                await unit.Decide(quote, new RejectQuote(quoteId, fingerprint, request.Approver, request.Reason ?? ""), ct);
            return result;
        });

    [WolverinePost("/approvals/{quoteId}/{revision}/escalate"), Authorize(Roles = LedgerRoles.Approver)]
    public static Task<IResult> Escalate(string quoteId, int revision, EscalationRequest request, CommandRunner commands, HttpContext context) =>
        commands.Answer(context, (unit, ct) => unit.Decide(Streams.Approval(quoteId, revision),
            _ => new EscalateApproval(quoteId, revision, request.Level, request.EscalatedTo, request.Reason), ct));
}
