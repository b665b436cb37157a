using System.Security.Claims;
using Ledger.Api.Problems;

namespace Ledger.Api.Security;

/// <summary>A CRM integration acts only on what came from its own CRM; other roles are not CRM-scoped.</summary>
public static class CrmScope
{
    public static string? Crm(this ClaimsPrincipal user) => user.FindFirst(LedgerClaims.Crm)?.Value;

    /// <summary>Null when the client may touch data of <paramref name="sourceCrm"/>; otherwise the 403 to answer.</summary>
    public static IResult? Forbids(this HttpContext context, string? sourceCrm) =>
        context.User.Crm() is { } crm && sourceCrm is not null && crm != sourceCrm
            ? Results.Problem(LedgerProblems.Create(StatusCodes.Status403Forbidden, "auth.other-crm",
                $"This client speaks for {crm}; the quote belongs to {sourceCrm}."))
            : null;

    public static string ClientName(this ClaimsPrincipal user) =>
        user.FindFirst(LedgerClaims.Client)?.Value ?? throw new InvalidOperationException("No authenticated client.");
}
