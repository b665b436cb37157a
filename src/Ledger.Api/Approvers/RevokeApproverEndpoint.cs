using Ledger.Api.Commands;
using Ledger.Api.Security;
using Ledger.Application.Commands;
using Ledger.Domain.Approvals;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Ledger.Api.Approvers;

public sealed record RevocationRequest(string? Reason);

/// <summary>An admin takes every level from a principal (ADR/0023); the delegations from and to it end too.</summary>
public static class RevokeApproverEndpoint
{
    [WolverinePost("/approvers/{principal}/revoke"), Authorize(Roles = LedgerRoles.Admin)]
    public static Task<IResult> Post(string principal, RevocationRequest request, CommandRunner commands, ApproverAuthorities configuration, HttpContext context) =>
        commands.Answer(context, (unit, ct) => unit.Decide(Streams.Approvers,
            _ => new RevokeApprover(principal, request.Reason ?? "", context.User.ClientName()) { Seed = configuration.Seed() }, ct));
}
