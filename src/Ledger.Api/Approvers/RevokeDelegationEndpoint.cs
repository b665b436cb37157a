using Ledger.Api.Commands;
using Ledger.Api.Security;
using Ledger.Application.Commands;
using Ledger.Domain.Approvals;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Ledger.Api.Approvers;

/// <summary>An admin ends a delegation before its last day (ADR/0023).</summary>
public static class RevokeDelegationEndpoint
{
    [WolverinePost("/approvers/delegations/{delegationId}/revoke"), Authorize(Roles = LedgerRoles.Admin)]
    public static Task<IResult> Post(string delegationId, RevocationRequest request, CommandRunner commands, ApproverAuthorities configuration, HttpContext context) =>
        commands.Answer(context, (unit, ct) => unit.Decide(Streams.Approvers,
            _ => new RevokeDelegation(delegationId, request.Reason ?? "", context.User.ClientName()) { Seed = configuration.Seed() }, ct));
}
