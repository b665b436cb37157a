using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Ledger.Api.Security;

/// <summary>
/// Authenticates a client by its API key, sent as <c>Authorization: Bearer &lt;key&gt;</c> or <c>X-Api-Key</c>.
/// 401 and 403 are answered as problem details by the host's status-code pages.
/// </summary>
public sealed class ApiKeyAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiClients clients)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var key = PresentedKey(Request);
        if (key is null) return Task.FromResult(AuthenticateResult.NoResult());
        if (clients.Find(key) is not { } client) return Task.FromResult(AuthenticateResult.Fail("Unknown API key."));

        var principal = new ClaimsPrincipal(new ClaimsIdentity(ClaimsOf(client), SchemeName));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }

    /// <summary>What a client is, as claims: the same for a request's key and a console session (ADR/0019).</summary>
    public static List<Claim> ClaimsOf(ApiClient client)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.Name, client.Name),
            new(LedgerClaims.Client, client.Name),
            new(ClaimTypes.Role, client.Role),
        };
        if (client.Crm is { Length: > 0 } crm) claims.Add(new Claim(LedgerClaims.Crm, crm));
        return claims;
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        return base.HandleChallengeAsync(properties);
    }

    private static string? PresentedKey(HttpRequest request)
    {
        if (request.Headers["X-Api-Key"].ToString() is { Length: > 0 } apiKey) return apiKey;
        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].Trim() : null;
    }
}
