using System.Net;
using Ledger.IntegrationTests.Journeys;
using Xunit;
using static Ledger.IntegrationTests.Journeys.LedgerWorld;

namespace Ledger.IntegrationTests.Api;

/// <summary>Every role against every endpoint: 401 without a key, 403 for a role the endpoint is not for, and otherwise never 401/403 nor 5xx.</summary>
public sealed class AuthorizationMatrixTests : IAsyncLifetime
{
    private LedgerWorld _world = null!;

    public async Task InitializeAsync() => _world = await StartAsync(nameof(AuthorizationMatrixTests));

    public async Task DisposeAsync() => await _world.DisposeAsync();

    /// <summary>Method, path, and the roles allowed; ids name nothing that exists, so allowed calls end in 4xx refusals, not in changes.</summary>
    public static readonly (string Method, string Path, string[] Roles)[] Endpoints =
    [
        ("POST", "/quotes", ["crm"]),
        ("GET", "/quotes/Q-NONE", ["crm"]),
        ("POST", "/quotes/Q-NONE/lines", ["crm"]),
        ("POST", "/quotes/Q-NONE/lines/L1/change", ["crm"]),
        ("POST", "/quotes/Q-NONE/lines/L1/remove", ["crm"]),
        ("POST", "/quotes/Q-NONE/price", ["crm"]),
        ("POST", "/quotes/Q-NONE/submit", ["crm"]),
        ("POST", "/quotes/Q-NONE/revise", ["crm"]),
        ("POST", "/quotes/Q-NONE/send", ["crm"]),
        ("POST", "/quotes/Q-NONE/accept", ["crm"]),
        ("POST", "/quotes/Q-NONE/withdraw", ["crm"]),
        ("POST", "/quotes/Q-NONE/extend-validity", ["crm"]),
        ("POST", "/quotes/Q-NONE/expire", ["admin"]),
        ("POST", "/quotes/Q-NONE/order", ["crm"]),
        ("POST", "/approvals/Q-NONE/1/grant", ["approver"]),
        ("POST", "/approvals/Q-NONE/1/deny", ["approver"]),
        ("POST", "/approvals/Q-NONE/1/escalate", ["approver"]),
        ("GET", "/approvers", ["admin", "auditor"]),
        ("POST", "/approvers/P-NONE", ["admin"]),
        ("POST", "/approvers/P-NONE/revoke", ["admin"]),
        ("POST", "/approvers/P-NONE/delegations", ["admin"]),
        ("POST", "/approvers/delegations/D-NONE/revoke", ["admin"]),
        ("POST", "/orders/O-NONE/cancel", ["crm"]),
        ("POST", "/orders/O-NONE/billing/acknowledgements", ["billing"]),
        ("POST", "/orders/O-NONE/billing/failures", ["billing"]),
        ("POST", "/orders/O-NONE/billing/resend", ["crm", "finance"]),
        ("POST", "/orders/O-NONE/billing/reconcile", ["finance"]),
        ("GET", "/contracts/CTR-NONE", ["crm"]),
        ("POST", "/contracts/CTR-NONE/amendments", ["crm"]),
        ("POST", "/contracts/CTR-NONE/renew", ["crm"]),
        ("POST", "/contracts/CTR-NONE/cancel", ["crm"]),
        ("POST", "/customers", ["admin"]),
        ("POST", "/customers/C-NONE/accounts", ["admin"]),
        ("POST", "/customers/C-NONE/merge", ["admin"]),
        ("POST", "/catalog/versions", ["admin"]),
        ("POST", "/pricing-policies", ["admin"]),
        ("GET", "/quotes/Q-NONE/timeline", ["auditor"]),
        ("GET", "/quotes/Q-NONE/timeline/verify", ["auditor"]),
        ("GET", "/quotes/Q-NONE/timeline/commands/C-NONE", ["auditor"]),
        ("POST", "/anchors", ["admin", "auditor"]),
        ("GET", "/anchors/verify", ["admin", "auditor"]),
        ("GET", "/crm/salesforce/quotes", ["crm", "finance", "admin"]),
        ("GET", "/crm/salesforce/quotes/Q-NONE", ["crm", "finance", "admin"]),
        ("POST", "/crm/salesforce/reports/quote-states", ["crm"]),
        ("POST", "/crm/salesforce/reports/contract-states", ["crm"]),
        ("POST", "/billing/records", ["billing"]),
        ("GET", "/approvals/queue", ["approver", "finance", "admin"]),
        ("GET", "/revenue/summary", ["finance", "admin"]),
        ("GET", "/reconciliation/discrepancies", ["finance", "admin", "auditor", "crm"]),
        ("GET", "/reconciliation/discrepancies/QTC-01:1:Q-NONE", ["finance", "admin", "auditor", "crm"]),
        ("POST", "/reconciliation/discrepancies/QTC-01:1:Q-NONE/acknowledge", ["finance"]),
        ("POST", "/reconciliation/discrepancies/QTC-01:1:Q-NONE/assign", ["finance"]),
        ("POST", "/reconciliation/discrepancies/QTC-01:1:Q-NONE/resolve", ["finance"]),
        ("GET", "/projections", ["admin", "finance"]),
        ("POST", "/projections/NONE/rebuild", ["admin"]),
        ("POST", "/projections/rebuild", ["admin"]),
        ("GET", "/crm/salesforce/changes", ["crm", "admin"]),
        ("GET", "/catalog/versions/current", ["crm", "approver", "finance", "admin"]),
        ("GET", "/catalog/versions/NONE", ["crm", "approver", "finance", "admin"]),
        ("GET", "/pricing-policies/current", ["crm", "approver", "finance", "admin"]),
        ("GET", "/customers/C-NONE", ["crm", "finance", "admin"]),
        ("GET", "/crm/salesforce/accounts/ACC-NONE/customer", ["crm", "finance", "admin"]),
        ("GET", "/orders/O-NONE", ["crm", "finance", "billing", "admin"]),
        ("POST", "/pricing/preview", ["crm", "approver", "finance", "admin"]),
        ("POST", "/crm/salesforce/webhook", ["admin"]),
        ("GET", "/crm/salesforce/webhook", ["admin"]),
        ("GET", "/crm/salesforce/webhook/dead-letters", ["admin"]),
        ("POST", "/crm/salesforce/webhook/dead-letters/Q-NONE/replay", ["admin"]),
        ("POST", "/crm/salesforce/webhook/replay", ["admin"]),
    ];

    [Fact]
    public async Task Every_role_gets_exactly_the_endpoints_it_is_for()
    {
        var clients = new (string Role, HttpClient Client)[]
        {
            ("crm", _world.Salesforce), ("approver", _world.Approver), ("finance", _world.Finance), ("auditor", _world.Auditor),
            ("billing", _world.Billing), ("admin", _world.Admin),
        };
        var wrong = new List<string>();
        foreach (var (method, path, roles) in Endpoints)
        {
            var anonymous = await Send(_world.Ledger.Http, method, path);
            if (anonymous != HttpStatusCode.Unauthorized) wrong.Add($"anonymous {method} {path}: {(int)anonymous}, expected 401");

            foreach (var (role, client) in clients)
            {
                var status = await Send(client, method, path);
                var allowed = roles.Contains(role);
                if (allowed && (status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden || (int)status >= 500))
                    wrong.Add($"{role} {method} {path}: {(int)status}, expected an answer past authorization");
                if (!allowed && status != HttpStatusCode.Forbidden)
                    wrong.Add($"{role} {method} {path}: {(int)status}, expected 403");
            }
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [Fact]
    public async Task A_wrong_api_key_is_401_problem_details()
    {
        using var stranger = _world.Ledger.ClientWithKey("not-a-key");
        var response = await Post(stranger, "/quotes", new { });
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task One_crm_can_neither_read_nor_change_another_crms_quote()
    {
        await _world.PublishCatalogAndPolicyAsync();
        (await Post(_world.Salesforce, "/quotes", QuoteToCashJourneyTests.Draft("Q-MINE", "EUR", "Europe/Berlin"))).EnsureAccepted();

        var read = await _world.HubSpot.GetAsync("/quotes/Q-MINE");
        var write = await Post(_world.HubSpot, "/quotes/Q-MINE/withdraw", new { reason = "not mine" });

        Assert.Equal(HttpStatusCode.Forbidden, read.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
        Assert.Equal("auth.other-crm", (await write.Json()).GetProperty("code").GetString());
        Assert.Single(await _world.StreamAsync("quote-Q-MINE"));
    }

    private static async Task<HttpStatusCode> Send(HttpClient client, string method, string path) =>
        method == "GET" ? (await client.GetAsync(path)).StatusCode : (await Post(client, path, new { })).StatusCode;
}
