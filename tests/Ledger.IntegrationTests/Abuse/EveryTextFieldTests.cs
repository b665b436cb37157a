using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Ledger.IntegrationTests.Journeys;
using Xunit;
using Xunit.Abstractions;
using static Ledger.IntegrationTests.Journeys.LedgerWorld;

namespace Ledger.IntegrationTests.Abuse;

/// <summary>
/// Every text field of every command, one at a time, with injection strings, a huge string and control characters
/// (NUL included) in an otherwise valid body (issue 18): no 5xx, every refusal a problem, no internal type name in any
/// body. Unlike the seeded fuzz (<see cref="HostileInputTests"/>), nothing here is left to chance.
/// </summary>
public sealed class EveryTextFieldTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly string[] Hostile =
    [
        "'; drop table ledger.mt_events; --", "<script>alert(1)</script>", "${jndi:ldap://x}", "../../etc/passwd", "\u0000", "a\u0000b",
        "\u0001\u001b[31m\u007f", "\uD800", "\r\n\t", new string('x', 300_000),
    ];

    private LedgerWorld _world = null!;

    public async Task InitializeAsync()
    {
        _world = await StartAsync(nameof(EveryTextFieldTests));
        await _world.PublishCatalogAndPolicyAsync();
        (await Post(_world.Salesforce, "/quotes", QuoteToCashJourneyTests.Draft("Q-HOST", "EUR", "Europe/Berlin"))).EnsureAccepted();
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    /// <summary>Each command: who sends it, where, a valid body, and the paths of its text fields.</summary>
    private IEnumerable<(HttpClient Client, string Path, string Body, string[] Fields)> Commands()
    {
        var draft = System.Text.Json.JsonSerializer.Serialize(QuoteToCashJourneyTests.Draft("Q-HOST-NEW", "EUR", "Europe/Berlin"));
        yield return (_world.Salesforce, "/quotes", draft,
            ["quoteId", "crmOpportunityId", "crmAccountId", "customerId", "owner", "currency", "segment", "region", "legalEntity", "timeZone", "priceBookVersion",
             "validFrom", "validUntil", "supersedesQuoteId"]);
        yield return (_world.Salesforce, "/quotes/Q-HOST/lines",
            """{"lineId":"L9","productOfferingId":"PLAT-ENT","catalogVersion":"2026.1","quantity":1,"discountPercent":0}""", ["lineId", "productOfferingId", "catalogVersion"]);
        yield return (_world.Salesforce, "/quotes/Q-HOST/lines/L1/change", """{"quantity":1,"discountPercent":0}""", []);
        yield return (_world.Salesforce, "/quotes/Q-HOST/price", """{"policyVersion":"P-2026.1"}""", ["policyVersion"]);
        yield return (_world.Salesforce, "/quotes/Q-HOST/revise", """{"reason":"r"}""", ["reason"]);
        yield return (_world.Salesforce, "/quotes/Q-HOST/extend-validity", """{"validUntil":"2100-01-01","reason":"r"}""", ["validUntil", "reason"]);
        yield return (_world.Salesforce, "/quotes/Q-HOST/send", """{"documentHash":"sha256:x"}""", ["documentHash"]);
        yield return (_world.Salesforce, "/quotes/Q-HOST/accept", """{"revision":1,"acceptanceType":"signature","signer":"s"}""", ["acceptanceType", "signer"]);
        yield return (_world.Salesforce, "/quotes/Q-HOST/order", """{"billingAccount":"BA-1"}""", ["billingAccount"]);
        yield return (_world.Approver, "/approvals/Q-HOST/1/grant", """{"level":"DealDesk","approver":"a","reason":"r"}""", ["level", "approver", "reason"]);
        yield return (_world.Approver, "/approvals/Q-HOST/1/deny", """{"level":"DealDesk","reason":"r"}""", ["level", "reason"]);
        yield return (_world.Approver, "/approvals/Q-HOST/1/escalate", """{"level":"DealDesk","escalatedTo":"x","reason":"r"}""", ["level", "escalatedTo", "reason"]);
        yield return (_world.Admin, "/approvers/nora.host", """{"levels":["DealDesk"]}""", ["levels.0"]);
        yield return (_world.Admin, "/approvers/nora.host/revoke", """{"reason":"r"}""", ["reason"]);
        yield return (_world.Admin, "/approvers/approvals-tool/delegations",
            """{"delegationId":"d-host","to":"x.host","levels":["DealDesk"],"firstDay":"2026-01-01","lastDay":"2026-01-02"}""",
            ["delegationId", "to", "levels.0", "firstDay", "lastDay"]);
        yield return (_world.Admin, "/approvers/delegations/d-none/revoke", """{"reason":"r"}""", ["reason"]);
        yield return (_world.Admin, "/customers", """{"customerId":"C-HOST","name":"Host","webDomain":"host.example"}""", ["customerId", "name", "webDomain"]);
        yield return (_world.Admin, "/customers/C-ACME/accounts", """{"crm":"salesforce","accountId":"ACC-HOST"}""", ["crm", "accountId"]);
        yield return (_world.Admin, "/customers/C-NOBODY/merge", """{"intoCustomerId":"C-ACME"}""", ["intoCustomerId"]);
        yield return (_world.Admin, "/catalog/versions",
            """{"version":"2026.9","offerings":[{"productOfferingId":"P","name":"N","listPrices":[{"currency":"EUR","amount":1}]}]}""",
            ["version", "offerings.0.productOfferingId", "offerings.0.name", "offerings.0.listPrices.0.currency"]);
        yield return (_world.Admin, "/pricing-policies",
            """{"version":"P-9","defaults":{"dealDeskAboveDiscountPercent":10,"vicePresidentAboveDiscountPercent":20,"cfoAboveDiscountPercent":30,"cfoAboveNetTotal":[{"currency":"EUR","amount":1}]}}""",
            ["version", "defaults.cfoAboveNetTotal.0.currency"]);
        yield return (_world.Billing, "/orders/ord-NONE/billing/acknowledgements", """{"billingReference":"INV-1","billedAmount":1,"currency":"EUR"}""",
            ["billingReference", "currency"]);
        yield return (_world.Salesforce, "/crm/salesforce/reports/quote-states",
            """{"reports":[{"quoteId":"Q-HOST","crmOpportunityId":"OPP-Q-HOST","status":"Draft","observedAt":"2026-01-01T00:00:00Z"}]}""",
            ["reports.0.quoteId", "reports.0.crmOpportunityId", "reports.0.status", "reports.0.observedAt"]);
        yield return (_world.Salesforce, "/crm/salesforce/reports/contract-states",
            """{"reports":[{"contractId":"ctr-Q-HOST","changes":[{"version":2,"kind":"Amendment"}],"observedAt":"2026-01-01T00:00:00Z"}]}""",
            ["reports.0.contractId", "reports.0.changes.0.kind", "reports.0.observedAt"]);
        yield return (_world.Billing, "/billing/records",
            """{"records":[{"recordId":"INV-H","orderId":"ord-NONE","kind":"Invoice","amount":1,"currency":"EUR","status":"Issued","observedAt":"2026-01-01T00:00:00Z"}]}""",
            ["records.0.recordId", "records.0.orderId", "records.0.kind", "records.0.currency", "records.0.status"]);
        yield return (_world.Finance, "/reconciliation/discrepancies/D-NONE/assign", """{"owner":"o"}""", ["owner"]);
        yield return (_world.Finance, "/reconciliation/discrepancies/D-NONE/resolve", """{"reason":"r"}""", ["reason"]);
        yield return (_world.Admin, "/crm/salesforce/webhook", """{"url":"http://127.0.0.1:9/hook","secret":"whsec-0123456789abcdef0123"}""", ["url", "secret"]);
    }

    [Fact]
    public async Task No_text_field_of_any_command_gets_a_5xx_or_a_body_naming_an_internal_type()
    {
        var failures = new List<string>();
        var sent = 0;
        foreach (var (client, path, body, fields) in Commands())
            foreach (var field in fields)
                foreach (var value in Hostile)
                {
                    var json = JsonNode.Parse(body)!;
                    Set(json, field, value);
                    using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json.ToJsonString(), Encoding.UTF8, "application/json") };
                    request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
                    using var response = await client.SendAsync(request);
                    sent++;
                    var text = await response.Content.ReadAsStringAsync();
                    var status = (int)response.StatusCode;
                    var media = response.Content.Headers.ContentType?.MediaType;
                    if (status >= 500 || (status >= 400 && media != "application/problem+json")
                        || text.Contains("Ledger.", StringComparison.Ordinal) || text.Contains("System.", StringComparison.Ordinal) || text.Contains("Exception", StringComparison.Ordinal))
                        failures.Add($"{path} {field}={Shorten(value)} -> {status} {media} {Shorten(text)}");
                }
        output.WriteLine($"{sent} requests, {failures.Count} failures");
        foreach (var f in failures.Take(40)) output.WriteLine(f);
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(40)));
        Assert.Equal(System.Net.HttpStatusCode.OK, (await _world.Ledger.Http.GetAsync("/health/live")).StatusCode);
    }

    /// <summary>Sets a field by a dotted path (<c>reports.0.quoteId</c>).</summary>
    private static void Set(JsonNode root, string path, string value)
    {
        var parts = path.Split('.');
        var node = root;
        foreach (var part in parts[..^1]) node = int.TryParse(part, out var i) ? node![i]! : node![part]!;
        if (int.TryParse(parts[^1], out var last)) node![last] = value;
        else node![parts[^1]] = value;
    }

    private static string Shorten(string s) => s.Length > 120 ? s[..120] + $"…({s.Length})" : s;
}
