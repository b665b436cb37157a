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
/// Approvers decide one level of one quote revision. The quote's current fingerprint is loaded here and checked by
/// the approval decider; when the last level is granted the quote is approved, when one is denied it is rejected.
/// </summary>
public static class ApprovalEndpoints
{
    [WolverinePost("/approvals/{quoteId}/{revision}/grant"), Authorize(Roles = LedgerRoles.Approver)]
    public static async Task<IResult> Grant(string quoteId, int revision, ApprovalDecisionRequest request, StreamCommands streams, HttpContext context, CancellationToken ct)
    {
        var quote = await streams.LoadQuote(quoteId, ct);
        var result = await streams.Send(new GrantApproval(quoteId, revision, request.Level, request.Approver, quote.CurrentFingerprint), context.CommandMetadata(), ct);
        if (result is CommandResult.Appended or CommandResult.Unchanged
            && await streams.LoadApproval(quoteId, revision, ct) is { Status: ApprovalStatus.Approved, Request: { } approved })
            await streams.Send(new ApproveQuote(quoteId, approved.Fingerprint, $"approval:{ApprovalDecider.StreamId(quoteId, revision)}"), context.CommandMetadata(), ct);
        return result.ToHttp(context);
    }

    [WolverinePost("/approvals/{quoteId}/{revision}/deny"), Authorize(Roles = LedgerRoles.Approver)]
    public static async Task<IResult> Deny(string quoteId, int revision, ApprovalDecisionRequest request, StreamCommands streams, HttpContext context, CancellationToken ct)
    {
        var quote = await streams.LoadQuote(quoteId, ct);
        var result = await streams.Send(new DenyApproval(quoteId, revision, request.Level, request.Approver, request.Reason ?? "", quote.CurrentFingerprint),
            context.CommandMetadata(), ct);
        if (result is CommandResult.Appended && quote.Status == QuoteStatus.InApproval && quote.SubmittedFingerprint is { } fingerprint)
            await streams.Send(new RejectQuote(quoteId, fingerprint, request.Approver, request.Reason ?? ""), context.CommandMetadata(), ct);
        return result.ToHttp(context);
    }

    [WolverinePost("/approvals/{quoteId}/{revision}/escalate"), Authorize(Roles = LedgerRoles.Approver)]
    public static async Task<IResult> Escalate(string quoteId, int revision, EscalationRequest request, StreamCommands streams, HttpContext context, CancellationToken ct) =>
        (await streams.Send(new EscalateApproval(quoteId, revision, request.Level, request.EscalatedTo, request.Reason), context.CommandMetadata(), ct)).ToHttp(context);
}
