using Ledger.Api.Commands;
using Ledger.Api.Security;
using Ledger.Application.Commands;
using Ledger.Domain.Approvals;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Ledger.Api.Approvers;

public sealed record AuthoriseApproverRequest(IReadOnlyList<ApprovalLevel>? Levels);

/// <summary>An admin sets the levels a principal decides on its own authority (ADR/0023); effective for the next decision.</summary>
public static class AuthoriseApproverEndpoint
{
    [WolverinePost("/approvers/{principal}"), Authorize(Roles = LedgerRoles.Admin)]
    public static Task<IResult> Post(string principal, AuthoriseApproverRequest request, CommandRunner commands, ApproverAuthorities configuration, HttpContext context) =>
        commands.Answer(context, (unit, ct) => unit.Decide(Streams.Approvers,
            _ => new AuthoriseApprover(principal, request.Levels ?? [], context.User.ClientName()) { Seed = configuration.Seed() }, ct));
}
