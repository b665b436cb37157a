using System.Security.Claims;
using Ledger.Api.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Ledger.Api.Console;

/// <summary>
/// The console signs a person in with an API key of a role (ADR/0011, ADR/0019): the key is checked like a request's key, and the
/// client it names (role, CRM) is kept in an encrypted, HTTP-only, same-site cookie. Every request checks that the key still
/// names that client, so a key taken out of configuration ends its console sessions too.
/// </summary>
public static class ConsoleAuthentication
{
    public const string SchemeName = "Console";
    public const string CookieName = "ledger-console";
    public const string SignInPath = "/console/sign-in";
    public const string DeniedPath = "/console/denied";
    private const string KeyClaim = "ledger:console-key";

    public static AuthenticationBuilder AddConsoleCookie(this AuthenticationBuilder authentication) =>
        authentication.AddCookie(SchemeName, options =>
        {
            options.Cookie.Name = CookieName;
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.Cookie.Path = "/console";
            options.LoginPath = SignInPath;
            options.AccessDeniedPath = DeniedPath;
            options.ExpireTimeSpan = TimeSpan.FromHours(8);
            options.SlidingExpiration = true;
            options.Events.OnValidatePrincipal = async context =>
            {
                var clients = context.HttpContext.RequestServices.GetRequiredService<ApiClients>();
                var key = context.Principal?.FindFirst(KeyClaim)?.Value;
                var client = key is null ? null : clients.Find(key);
                if (client is null || client.Name != context.Principal!.ClientName() || !context.Principal!.IsInRole(client.Role))
                {
                    context.RejectPrincipal();
                    await context.HttpContext.SignOutAsync(SchemeName);
                }
            };
        });

    /// <summary>The principal of a known key, with the same claims the API key scheme gives; null for an unknown key.</summary>
    public static ClaimsPrincipal? PrincipalFor(ApiClients clients, string presentedKey)
    {
        if (clients.Find(presentedKey.Trim()) is not { } client) return null;
        var identity = new ClaimsIdentity(ApiKeyAuthentication.ClaimsOf(client), SchemeName);
        identity.AddClaim(new Claim(KeyClaim, presentedKey.Trim()));
        return new ClaimsPrincipal(identity);
    }
}
