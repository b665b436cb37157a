using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Ledger.IntegrationTests.Journeys;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Xunit;
using static Ledger.IntegrationTests.Journeys.LedgerWorld;

namespace Ledger.IntegrationTests.Api;

/// <summary>
/// JWT bearer tokens beside API keys (issue 18, ADR/0023): a token from the configured issuer, for the configured
/// audience and signed with the configured key, maps its <c>role</c> and <c>crm</c> claims to the same roles and CRM
/// scope as a key. Every rejected token is a 401 problem, never a 500.
/// </summary>
public sealed class JwtBearerTests : IAsyncLifetime
{
    private const string Issuer = "https://idp.example.test/", Audience = "ledger-api";
    private const string SigningKey = "test-signing-key-of-at-least-32-bytes-0123456789";

    private LedgerWorld _world = null!;

    public async Task InitializeAsync() =>
        _world = await StartAsync(nameof(JwtBearerTests), settings: new Dictionary<string, string?>
        {
            ["Ledger:Jwt:Issuer"] = Issuer, ["Ledger:Jwt:Audience"] = Audience, ["Ledger:Jwt:SigningKey"] = SigningKey,
        });

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task A_valid_token_acts_with_its_role_and_crm_like_an_api_key()
    {
        using var salesforce = WithToken(Token(("sub", "sf-integration"), ("role", "crm"), ("crm", "salesforce")));
        (await salesforce.GetAsync("/crm/salesforce/quotes")).EnsureAccepted();
        // The crm claim scopes it like a key's Crm: another CRM's view is forbidden, finance's summary is not its role.
        Assert.Equal(HttpStatusCode.Forbidden, (await salesforce.GetAsync("/crm/hubspot/quotes")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await salesforce.GetAsync("/revenue/summary")).StatusCode);

        // A draft through the token is the token's CRM's, and its subject is the actor the event's metadata records.
        (await Post(salesforce, "/quotes", QuoteToCashJourneyTests.Draft("Q-JWT-1", "EUR", "Europe/Berlin"))).EnsureAccepted();
        var drafted = (await _world.StreamAsync("quote-Q-JWT-1")).Single();
        Assert.Equal(("salesforce", "sf-integration"), (drafted.Data.GetProperty("sourceCrm").GetString(), drafted.Event.Metadata.Actor));

        using var finance = WithToken(Token(("sub", "finance-batch"), ("role", "finance")));
        (await finance.GetAsync("/revenue/summary")).EnsureAccepted();
        // API keys keep working beside tokens.
        (await _world.Finance.GetAsync("/revenue/summary")).EnsureAccepted();
    }

    public static TheoryData<string, string> RejectedTokens => new()
    {
        { "expired", Mint(Issuer, Audience, SigningKey, DateTime.UtcNow.AddMinutes(-5), ("sub", "sf"), ("role", "crm"), ("crm", "salesforce")) },
        { "wrong issuer", Mint("https://evil.example.test/", Audience, SigningKey, UntilLater, ("sub", "sf"), ("role", "crm"), ("crm", "salesforce")) },
        { "wrong audience", Mint(Issuer, "another-api", SigningKey, UntilLater, ("sub", "sf"), ("role", "crm"), ("crm", "salesforce")) },
        { "crm role without crm claim", Token(("sub", "sf"), ("role", "crm")) },
        { "unknown role", Token(("sub", "sf"), ("role", "superuser")) },
        { "no subject", Token(("role", "finance")) },
        { "signed with another key", Mint(Issuer, Audience, "another-signing-key-of-at-least-32-bytes-987654", UntilLater, ("sub", "sf"), ("role", "finance")) },
        { "not a token at all", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.bm90LWEtc2lnbmF0dXJl" },
    };

    [Theory]
    [MemberData(nameof(RejectedTokens))]
    public async Task A_token_that_does_not_hold_is_a_401_problem(string why, string token)
    {
        using var client = WithToken(token);
        using var response = await client.GetAsync("/revenue/summary");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{why}: {(int)response.StatusCode} {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(401, JsonDocument.Parse(body).RootElement.GetProperty("status").GetInt32());
        Assert.DoesNotContain("Exception", body);
    }

    private HttpClient WithToken(string token)
    {
        var client = new HttpClient { BaseAddress = _world.Ledger.Address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    // Valid long enough for a slow full run, so that a token rejected for its issuer is not rejected for its age instead.
    private static DateTime UntilLater => DateTime.UtcNow.AddHours(12);

    private static string Token(params (string Type, string Value)[] claims) => Mint(Issuer, Audience, SigningKey, UntilLater, claims);

    private static string Mint(string issuer, string audience, string key, DateTime until, params (string Type, string Value)[] claims) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer, Audience = audience, IssuedAt = until.AddHours(-13), NotBefore = until.AddHours(-13), Expires = until,
            Claims = claims.ToDictionary(c => c.Type, c => (object)c.Value),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), SecurityAlgorithms.HmacSha256),
        });
}
