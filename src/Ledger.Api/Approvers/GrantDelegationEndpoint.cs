using Ledger.Api.Commands;
using Ledger.Api.Security;
using Ledger.Application.Commands;
using Ledger.Domain.Approvals;
using Microsoft.AspNetCore.Authorization;
using NodaTime;
using Wolverine.Http;

namespace Ledger.Api.Approvers;

/// <param name="FirstDay">The first UTC day the delegation counts; <paramref name="LastDay"/> the last, both included.</param>
public sealed record GrantDelegationRequest(string? DelegationId, string? To, IReadOnlyList<ApprovalLevel>? Levels, LocalDate FirstDay, LocalDate LastDay);

/// <summary>An admin records that <c>{principal}</c> hands some of its levels to another principal for a range of days (ADR/0023).</summary>
public static class GrantDelegationEndpoint
{
    [WolverinePost("/approvers/{principal}/delegations"), Authorize(Roles = LedgerRoles.Admin)]
    public static Task<IResult> Post(string principal, GrantDelegationRequest request, CommandRunner commands, ApproverAuthorities configuration, HttpContext context) =>
        commands.Answer(context, (unit, ct) => unit.Decide(Streams.Approvers,
            _ => new GrantDelegation(request.DelegationId ?? "", principal, request.To ?? "", request.Levels ?? [], request.FirstDay, request.LastDay,
                context.User.ClientName()) { Seed = configuration.Seed() }, ct));
}
