using Ledger.Api.Problems;
using Ledger.Api.Security;
using Ledger.Application.Crm;
using Marten;
using Microsoft.AspNetCore.Authorization;
using NodaTime;
using Wolverine.Http;

namespace Ledger.Api.Crm;

/// <param name="StartAfter">Quotes with no delivery yet get their changes after this log position; default: the CRM's latest change so far (only what follows is pushed).</param>
public sealed record RegisterCrmWebhookRequest(string? Url, string? Secret, long? StartAfter);

/// <summary>
/// Registers (or replaces) the webhook one CRM's changes are pushed to, with the secret they are signed with (ADR/0020).
/// Replacing keeps every quote's delivery cursor: a new URL or secret continues where the old one stopped.
/// </summary>
public static class RegisterCrmWebhookEndpoint
{
    public const int MinSecretLength = 16;
    public const int MaxSecretLength = 256;
    public const int MaxUrlLength = 2000;

    [WolverinePost("/crm/{crm}/webhook"), Authorize(Roles = LedgerRoles.Admin)]
    public static async Task<IResult> Register(string crm, RegisterCrmWebhookRequest request, IDocumentSession session, CrmChangeStore changes,
        IClock clock, HttpContext context, CancellationToken ct)
    {
        if (Invalid(request) is { } invalid) return invalid;
        var existing = await session.LoadAsync<CrmWebhookSubscription>(crm, ct);
        var subscription = new CrmWebhookSubscription
        {
            Id = crm,
            Url = request.Url!,
            Secret = request.Secret!,
            StartAfter = request.StartAfter ?? existing?.StartAfter ?? await changes.LatestPositionAsync(crm, ct),
            RegisteredAt = clock.GetCurrentInstant().ToDateTimeOffset(),
            RegisteredBy = context.User.ClientName(),
        };
        session.Store(subscription);
        await session.SaveChangesAsync(ct);
        return existing is null ? Results.Created($"/crm/{Uri.EscapeDataString(crm)}/webhook", CrmWebhookView.Of(subscription)) : Results.Ok(CrmWebhookView.Of(subscription));
    }

    private static IResult? Invalid(RegisterCrmWebhookRequest request)
    {
        // Control characters first: Uri accepts a NUL (escaped), which PostgreSQL refuses to store.
        if (request.Url is null || request.Url.Any(char.IsControl) || !Uri.TryCreate(request.Url, UriKind.Absolute, out var url)
            || url.Scheme is not ("http" or "https") || request.Url.Length > MaxUrlLength)
            return Problem("url", $"url is an absolute http or https URL of at most {MaxUrlLength} characters.");
        // A secret in the URL would be shown wherever the URL is (responses, logs); it belongs in the secret.
        if (url.UserInfo.Length > 0) return Problem("url", "url carries no user name or password; the secret signs the deliveries.");
        if (request.Secret is null || request.Secret.Length is < MinSecretLength or > MaxSecretLength || request.Secret.Any(char.IsControl))
            return Problem("secret", $"secret is {MinSecretLength} to {MaxSecretLength} printable characters.");
        if (request.StartAfter is < 0) return Problem("startAfter", "startAfter is a log position, 0 or more.");
        return null;
    }

    private static IResult Problem(string field, string detail) =>
        Results.Problem(LedgerProblems.Create(StatusCodes.Status400BadRequest, "webhook.invalid", detail, field));
}
