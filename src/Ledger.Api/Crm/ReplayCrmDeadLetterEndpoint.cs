using Ledger.Api.Problems;
using Ledger.Api.Security;
using Ledger.Application.Crm;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Ledger.Api.Crm;

/// <summary>Sends a dead-lettered quote's changes again, from the one that failed, with a fresh retry schedule.</summary>
public static class ReplayCrmDeadLetterEndpoint
{
    [WolverinePost("/crm/{crm}/webhook/dead-letters/{quoteId}/replay"), Authorize(Roles = LedgerRoles.Admin)]
    public static async Task<IResult> Replay(string crm, string quoteId, CrmWebhookCursors cursors, CancellationToken ct) =>
        await cursors.ReplayDeadLetterAsync(crm, quoteId, ct)
            ? Results.Accepted(value: new { crm, quoteId, replaying = true })
            : Results.Problem(LedgerProblems.Create(StatusCodes.Status404NotFound, "webhook.not-dead-lettered",
                $"{crm}'s deliveries of quote {quoteId} are not dead-lettered.", "quoteId"));
}
