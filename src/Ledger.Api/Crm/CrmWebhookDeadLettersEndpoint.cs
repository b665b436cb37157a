using Ledger.Api.Security;
using Ledger.Application.Crm;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Ledger.Api.Crm;

/// <summary>The quotes whose delivery to this CRM ran out of attempts: the change that failed, why, and how many wait behind it.</summary>
public static class CrmWebhookDeadLettersEndpoint
{
    [WolverineGet("/crm/{crm}/webhook/dead-letters"), Authorize(Roles = LedgerRoles.Admin)]
    public static async Task<IResult> List(string crm, CrmWebhookCursors cursors, CancellationToken ct) =>
        Results.Ok(new { crm, deadLetters = await cursors.DeadLettersAsync(crm, ct) });
}
