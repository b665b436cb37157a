using Ledger.Api.Problems;
using Ledger.Api.Security;
using Ledger.Application.Crm;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Ledger.Api.Crm;

public sealed record ReplayCrmChangesRequest(long? After);

/// <summary>
/// Pushes every change of this CRM after a log position again, in order per quote (each quote's cursor moves back to it,
/// never forward; dead letters are cleared). The CRM tells repeats apart by their change ids.
/// </summary>
public static class ReplayCrmChangesEndpoint
{
    [WolverinePost("/crm/{crm}/webhook/replay"), Authorize(Roles = LedgerRoles.Admin)]
    public static async Task<IResult> Replay(string crm, ReplayCrmChangesRequest request, IDocumentSession session, CrmWebhookCursors cursors, CancellationToken ct)
    {
        if (request.After is not ({ } after and >= 0))
            return Results.Problem(LedgerProblems.Create(StatusCodes.Status400BadRequest, "webhook.invalid", "after is a log position, 0 or more.", "after"));
        if (await session.LoadAsync<CrmWebhookSubscription>(crm, ct) is not { } subscription) return CrmWebhookEndpoint.NotRegistered(crm);
        // Quotes without a cursor start after StartAfter: move it back too, before the cursors, so no quote is passed over.
        if (after < subscription.StartAfter)
        {
            subscription.StartAfter = after;
            session.Store(subscription);
            await session.SaveChangesAsync(ct);
        }
        var quotes = await cursors.ReplayFromAsync(crm, after, subscription.StartAfter, ct);
        return Results.Accepted(value: new { crm, after, quotes });
    }
}
