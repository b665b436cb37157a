using Ledger.Api.Problems;
using Ledger.Api.Security;
using Ledger.Application.Crm;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Ledger.Api.Crm;

/// <summary>One CRM's webhook as registered (the secret only as set), with how many of its quotes are dead-lettered.</summary>
public static class CrmWebhookEndpoint
{
    [WolverineGet("/crm/{crm}/webhook"), Authorize(Roles = LedgerRoles.Admin)]
    public static async Task<IResult> Show(string crm, IQuerySession session, CrmWebhookCursors cursors, CancellationToken ct) =>
        await session.LoadAsync<CrmWebhookSubscription>(crm, ct) is { } subscription
            ? Results.Ok(new { webhook = CrmWebhookView.Of(subscription), deadLetters = (await cursors.DeadLettersAsync(crm, ct)).Count })
            : NotRegistered(crm);

    public static IResult NotRegistered(string crm) =>
        Results.Problem(LedgerProblems.Create(StatusCodes.Status404NotFound, "webhook.not-registered", $"No webhook is registered for {crm}.", "crm"));
}
