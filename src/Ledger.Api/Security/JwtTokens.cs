using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;

namespace Ledger.Api.Security;

/// <summary>
/// JWT bearer tokens beside API keys (ADR/0023): tokens from one configured issuer (OAuth2 client credentials), for one
/// audience, signed with the configured key (<c>Ledger:Jwt:Issuer</c>, <c>Audience</c>, <c>SigningKey</c>). A token's
/// <c>sub</c>, <c>role</c> and <c>crm</c> claims become the same claims an API key gives, so endpoints see no difference.
/// Off unless an issuer is configured.
/// </summary>
public static class JwtTokens
{
    public const string SchemeName = "Jwt";

    /// <summary>The default scheme: a bearer value that reads as a JWT goes to the token handler, anything else is an API key.</summary>
    public const string SelectorName = "ApiKeyOrJwt";

    /// <summary>HMAC-SHA256 keys shorter than this are refused at start-up: a short shared secret is guessable offline.</summary>
    public const int MinSigningKeyBytes = 32;

    public static AuthenticationBuilder AddLedgerJwt(this AuthenticationBuilder builder, IConfiguration configuration)
    {
        var section = configuration.GetSection("Ledger:Jwt");
        var issuer = section["Issuer"];
        builder.AddPolicyScheme(SelectorName, "API key or JWT", options => options.ForwardDefaultSelector = context =>
            issuer is { Length: > 0 } && LooksLikeJwt(context.Request) ? SchemeName : ApiKeyAuthentication.SchemeName);
        if (issuer is not { Length: > 0 }) return builder;

        var key = Encoding.UTF8.GetBytes(section["SigningKey"] ?? "");
        if (key.Length < MinSigningKeyBytes)
            throw new InvalidOperationException($"Ledger:Jwt:SigningKey must be at least {MinSigningKeyBytes} bytes when Ledger:Jwt:Issuer is set.");
        return builder.AddJwtBearer(SchemeName, options =>
        {
            options.MapInboundClaims = false; // keep `sub`, `role` and `crm` as the issuer wrote them
            options.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = issuer,
                ValidAudience = section["Audience"] is { Length: > 0 } audience ? audience
                    : throw new InvalidOperationException("Ledger:Jwt:Audience is required when Ledger:Jwt:Issuer is set."),
                IssuerSigningKey = new SymmetricSecurityKey(key),
                ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                RequireExpirationTime = true,
                ClockSkew = TimeSpan.FromSeconds(30),
            };
            options.Events = new JwtBearerEvents { OnTokenValidated = MapClaims };
        });
    }

    /// <summary>The token's claims as the ledger's: a role it does not know, or a CRM role without its CRM, fails authentication.</summary>
    private static Task MapClaims(TokenValidatedContext context)
    {
        var token = context.Principal!;
        var subject = token.FindFirst("sub")?.Value;
        var roles = token.FindAll("role").Select(c => c.Value).ToList();
        var crm = token.FindFirst("crm")?.Value;
        if (string.IsNullOrWhiteSpace(subject)) context.Fail("The token has no sub claim.");
        else if (roles is not [var role] || !LedgerRoles.All.Contains(role)) context.Fail($"The token's role claim must be one of {string.Join(", ", LedgerRoles.All)}.");
        else if (role == LedgerRoles.Crm && string.IsNullOrWhiteSpace(crm)) context.Fail("A token with role crm needs a crm claim.");
        else
            context.Principal = new ClaimsPrincipal(new ClaimsIdentity(
                ApiKeyAuthentication.ClaimsOf(new ApiClient { Name = subject, Role = role, Crm = role == LedgerRoles.Crm ? crm : null }),
                SchemeName, ClaimTypes.Name, ClaimTypes.Role));
        return Task.CompletedTask;
    }

    private static bool LooksLikeJwt(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return false;
        var value = authorization.AsSpan("Bearer ".Length).Trim();
        // A compact JWS: three base64url parts, the header starting with '{"' (eyJ). Ledger API keys have no dots.
        return value.StartsWith("eyJ") && value.Count('.') == 2;
    }
}
