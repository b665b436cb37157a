using Ledger.Api.Commands;
using Ledger.Api.Security;
using Ledger.Application.Commands;
using Ledger.Domain.Approvals;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;
using Ledger.Domain.Common;

namespace Ledger.Api.Approvals;

/// <param name="Approver">
/// Ignored (ADR/0023): the decision is recorded under the authenticated caller, whatever a body says. Kept so that
/// clients that still send it are not refused.
/// </param>
public sealed record ApprovalDecisionRequest(ApprovalLevel Level, string? Approver, string? Reason);

public sealed record EscalationRequest(ApprovalLevel Level, string EscalatedTo, string Reason);

/// <summary>
/// Approvers decide one level of one quote revision, as the principal they authenticated as, within the levels
/// the approvers registry gives that principal (own or delegated; seeded from configuration; ADR/0023). The quote's current fingerprint is consulted here and checked by
/// the approval decider; the quote is approved (last level granted) or rejected (a level denied) by a reaction (ADR/0017).
/// </summary>
public static class ApprovalEndpoints
{
    [WolverinePost("/approvals/{quoteId}/{revision}/grant"), Authorize(Roles = LedgerRoles.Approver)]
    public static Task<IResult> Grant(string quoteId, int revision, ApprovalDecisionRequest request, CommandRunner commands, HttpContext context) =>
        commands.Answer(context, async (unit, ct) =>
        {
            var current = await CurrentFingerprint(unit, quoteId, ct);
            var principal = context.User.ClientName();
            return await Authorities(context).DecideAsync(unit, registry => unit.Decide(Streams.Approval(quoteId, revision),
                _ => new GrantApproval(quoteId, revision, request.Level, principal, current, registry.AuthorityOf(principal)), ct), ct);
        });

    [WolverinePost("/approvals/{quoteId}/{revision}/deny"), Authorize(Roles = LedgerRoles.Approver)]
    public static Task<IResult> Deny(string quoteId, int revision, ApprovalDecisionRequest request, CommandRunner commands, HttpContext context) =>
        commands.Answer(context, async (unit, ct) =>
        {
            var current = await CurrentFingerprint(unit, quoteId, ct);
            var principal = context.User.ClientName();
            return await Authorities(context).DecideAsync(unit, registry => unit.Decide(Streams.Approval(quoteId, revision),
                _ => new DenyApproval(quoteId, revision, request.Level, principal, request.Reason ?? "", current, registry.AuthorityOf(principal)), ct), ct);
        });

    /// <summary>What is to be approved now: the quote's fingerprint, or for a contract the amendment waiting on approval (ADR/0021).</summary>
    private static async Task<ApprovalFingerprint?> CurrentFingerprint(CommandUnit unit, string quoteId, CancellationToken ct) =>
        Ledger.Domain.Contracts.ContractDecider.IsContractId(quoteId)
            ? (await unit.Consult(Streams.Contract(new ContractId(quoteId)), ct)).Proposed?.Fingerprint
            : (await unit.Consult(Streams.Quote(new QuoteId(quoteId)), ct)).CurrentFingerprint;

    [WolverinePost("/approvals/{quoteId}/{revision}/escalate"), Authorize(Roles = LedgerRoles.Approver)]
    public static Task<IResult> Escalate(string quoteId, int revision, EscalationRequest request, CommandRunner commands, HttpContext context) =>
        commands.Answer(context, (unit, ct) => unit.Decide(Streams.Approval(quoteId, revision),
            _ => new EscalateApproval(quoteId, revision, request.Level, request.EscalatedTo, request.Reason, context.User.ClientName()), ct));

    // From the request's services: the console calls these endpoints as methods, with its own page's context.
    private static ApproverAuthorities Authorities(HttpContext context) => context.RequestServices.GetRequiredService<ApproverAuthorities>();
}
