using System.Net;
using System.Text;
using Ledger.Api;
using Ledger.IntegrationTests.Journeys;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit;
using Xunit.Abstractions;
using static Ledger.IntegrationTests.Journeys.LedgerWorld;

namespace Ledger.IntegrationTests.Abuse;

/// <summary>
/// Thousands of generated malformed or hostile requests (seeded, so a failure can be replayed): wrong JSON types,
/// missing fields, huge strings, deep nesting, invalid currencies and amounts, wrong roles, injection strings,
/// unknown ids. None may get a 5xx, every refusal is problem details, nothing is appended, the process stays up.
/// <c>LEDGER_FUZZ_COUNT</c> sets the number of requests (default 2,000).
/// </summary>
public sealed class HostileInputTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly int Count = int.TryParse(Environment.GetEnvironmentVariable("LEDGER_FUZZ_COUNT"), out var n) ? n : 2_000;
    private LedgerWorld _world = null!;

    public async Task InitializeAsync()
    {
        _world = await StartAsync(nameof(HostileInputTests));
        await _world.PublishCatalogAndPolicyAsync();
        // One real quote, so that commands on it reach the deciders instead of stopping at "not found".
        (await Post(_world.Salesforce, "/quotes", QuoteToCashJourneyTests.Draft("Q-REAL", "EUR", "Europe/Berlin"))).EnsureAccepted();
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    private static readonly string[] Hostile =
    [
        "'; drop table ledger.mt_events; --", "\" OR 1=1 --", "{\"$where\": \"1==1\"}", "../../etc/passwd", "<script>alert(1)</script>",
        "\u0000", "\uFFFF\uD800", "💥", "%00", "${jndi:ldap://x}", "=cmd|' /C calc'!A0", "null", "-1", "1e309", "NaN",
    ];

    [Fact]
    public async Task Hostile_requests_get_4xx_problem_details_append_nothing_and_the_process_stays_up()
    {
        var before = await EventCountAsync();
        var random = new Random(8_2026);
        // Mostly clients whose role the endpoint accepts, so that most requests get past authorization to the rules.
        var clients = new[]
        {
            _world.Salesforce, _world.Salesforce, _world.Salesforce, _world.Salesforce, _world.Admin, _world.Admin, _world.Finance, _world.Billing,
            _world.Approver, _world.HubSpot, _world.Auditor,
        };
        var statuses = new Dictionary<int, int>();
        var failures = new List<string>();
        var protocolRejections = 0;
        for (var i = 0; i < Count; i++)
        {
            var (method, path, body) = Request(random);
            var client = clients[random.Next(clients.Length)];
            using var request = new HttpRequestMessage(method, path);
            if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, random.Next(10) == 0 ? "text/plain" : "application/json");
            if (method == HttpMethod.Post && random.Next(20) != 0) request.Headers.Add("Idempotency-Key", random.Next(30) == 0 ? new string('k', 300) : $"fuzz-{i}");
            using var response = await client.SendAsync(request);
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            var media = response.Content.Headers.ContentType?.MediaType;
            var text = await response.Content.ReadAsStringAsync();
            // Kestrel refuses some requests itself, before any middleware runs (a request line over its limit, a NUL
            // in the path), with an empty body: counted, not failed.
            if (status is 400 or 414 && media is null && text.Length == 0) { protocolRejections++; continue; }
            if (status >= 500 || (status >= 400 && media != "application/problem+json") || status < 400)
                failures.Add($"{method} {Shorten(path)} {Shorten(body)} -> {status} {media} {Shorten(text)}");
        }
        var after = await EventCountAsync();
        output.WriteLine($"requests {Count}, by status: {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"))}; " +
                         $"of which refused by Kestrel itself (no body) {protocolRejections}; events before {before}, after {after}; failures {failures.Count}");
        foreach (var f in failures.Take(20)) output.WriteLine(f);

        Assert.Empty(failures);
        Assert.Equal(before, after);
        Assert.Equal(HttpStatusCode.OK, (await _world.Ledger.Http.GetAsync("/health/live")).StatusCode);
    }

    /// <summary>One request that is wrong by construction: an unknown id, a malformed body, or a field the rules refuse.</summary>
    private static (HttpMethod, string, string?) Request(Random r)
    {
        string Text() => r.Next(6) switch
        {
            0 => Hostile[r.Next(Hostile.Length)],
            1 => new string('x', r.Next(1, 5) * 100_000),
            2 => new string('é', r.Next(1, 3000)),
            _ => $"fuzz-{r.Next(1000)}",
        };
        string Value() => r.Next(9) switch
        {
            0 => "null", 1 => "true", 2 => "-12345678901234567890", 3 => "1e400", 4 => "[]", 5 => "{}",
            6 => Deep(r.Next(60, 400)), 7 => "\"" + Escape(Text()) + "\"", _ => r.Next(-5, 5).ToString(),
        };
        string Body(params string[] fields) => "{" + string.Join(',', fields.Where(_ => r.Next(5) != 0).Select(f => $"\"{f}\":{Value()}")) + "}";
        var id = r.Next(3) == 0 ? Uri.EscapeDataString(Cut(Text(), 2_000)) : "Q-NOPE";

        return r.Next(16) switch
        {
            0 => (HttpMethod.Post, "/quotes", Body("quoteId", "crmOpportunityId", "crmAccountId", "customerId", "owner", "currency", "segment", "region",
                "legalEntity", "timeZone", "priceBookVersion", "validFrom", "validUntil") is var b && r.Next(2) == 0 ? b : DraftWithOneBadField(r)),
            1 => (HttpMethod.Post, $"/quotes/{(r.Next(2) == 0 ? "Q-REAL" : id)}/lines", Body("lineId", "productOfferingId", "catalogVersion", "quantity", "discountPercent")),
            2 => (HttpMethod.Post, $"/quotes/{id}/price", Body("policyVersion")),
            3 => (HttpMethod.Post, $"/quotes/{id}/submit", r.Next(2) == 0 ? "{" : "[1,2"),
            4 => (HttpMethod.Post, $"/quotes/{id}/accept", Body("revision", "acceptanceType", "signer")),
            5 => (HttpMethod.Post, $"/approvals/{id}/{r.Next(-3, 99)}/grant", Body("level", "approver")),
            6 => (HttpMethod.Post, $"/orders/{id}/billing/acknowledgements", Body("billingReference", "billedAmount", "currency")),
            7 => (HttpMethod.Post, "/customers", Body("customerId", "name", "webDomain") is var c && r.Next(2) == 0 ? c : "{\"customerId\":null}"),
            8 => (HttpMethod.Post, "/billing/records", "{\"records\":[" + string.Join(',', Enumerable.Range(0, r.Next(0, 3)).Select(_ => BadRecord(r))) + "]}"),
            9 => (HttpMethod.Post, "/crm/salesforce/reports/quote-states", "{\"reports\":[{\"quoteId\":\"Q-1\",\"crmOpportunityId\":\"o\",\"status\":" + Value() + ",\"observedAt\":\"2099-01-01T00:00:00Z\"}]}"),
            10 => (HttpMethod.Post, $"/reconciliation/discrepancies/{id}/resolve", Body("reason")),
            11 => (HttpMethod.Get, $"/reconciliation/discrepancies?status={Uri.EscapeDataString(Cut(Text(), 500))}&pageSize={r.Next(-5, 5000)}", null),
            12 => (HttpMethod.Get, $"/quotes/{id}/timeline?asOf={Uri.EscapeDataString(Hostile[r.Next(Hostile.Length)])}", null),
            13 => (HttpMethod.Post, "/catalog/versions", Body("version", "offerings")),
            14 => (HttpMethod.Post, $"/quotes/{id}/order", Deep(r.Next(65, 2000))),
            _ => (HttpMethod.Post, "/pricing-policies", Body("version", "defaults", "overrides")),
        };
    }

    /// <summary>A draft with every field well formed but one: an unknown currency or zone, a negative validity, a wrong type, a huge id.</summary>
    private static string DraftWithOneBadField(Random r)
    {
        var fields = new Dictionary<string, string>
        {
            ["quoteId"] = $"\"Q-F{r.Next(100000)}\"", ["crmOpportunityId"] = "\"OPP\"", ["crmAccountId"] = "\"ACC\"", ["customerId"] = "\"C\"", ["owner"] = "\"o\"",
            ["currency"] = "\"EUR\"", ["segment"] = "\"enterprise\"", ["region"] = "\"EMEA\"", ["legalEntity"] = "\"LE\"", ["timeZone"] = "\"Europe/Berlin\"",
            ["priceBookVersion"] = "\"2026.1\"", ["validFrom"] = "\"2026-01-01\"", ["validUntil"] = "\"2099-12-31\"",
        };
        switch (r.Next(6))
        {
            case 0: fields["currency"] = $"\"{Hostile[r.Next(Hostile.Length)].Replace("\"", "")}\""; break;
            case 1: fields["timeZone"] = "\"Mars/Olympus_Mons\""; break;
            case 2: fields["validUntil"] = "\"2025-01-01\""; break;
            case 3: fields["validFrom"] = "12345"; break;
            case 4: fields["quoteId"] = $"\"{new string('Q', r.Next(1, 4) * 100_000)}\""; break;
            default: fields["currency"] = "\"XXX\""; break;
        }
        return "{" + string.Join(',', fields.Select(f => $"\"{f.Key}\":{f.Value}")) + "}";
    }

    private static string BadRecord(Random r) => r.Next(4) switch
    {
        0 => "{\"recordId\":\"INV\",\"orderId\":\"ord-x\",\"kind\":\"Invoice\",\"amount\":-1,\"currency\":\"USD\",\"status\":\"Issued\",\"observedAt\":\"2026-01-01T00:00:00Z\"}",
        1 => "{\"recordId\":\"INV\",\"orderId\":\"ord-x\",\"kind\":\"Invoice\",\"amount\":1.001,\"currency\":\"USD\",\"status\":\"Issued\",\"observedAt\":\"2026-01-01T00:00:00Z\"}",
        2 => "{\"recordId\":\"INV\",\"orderId\":\"ord-x\",\"kind\":\"Refund\",\"amount\":1,\"currency\":\"USD\",\"status\":\"Issued\",\"observedAt\":\"2026-01-01T00:00:00Z\"}",
        _ => "{\"recordId\":\"INV\",\"orderId\":\"ord-x\",\"kind\":\"Invoice\",\"amount\":1,\"currency\":\"ZZZ\",\"status\":\"Issued\",\"observedAt\":\"2026-01-01T00:00:00Z\"}",
    };

    private static string Cut(string s, int length) => s.Length > length ? s[..length] : s;

    private static string Deep(int depth) => new string('[', depth) + new string(']', depth);

    private static string Escape(string s) => s.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\u0000", "\\u0000");

    private static string Shorten(string? s) => s is null ? "" : s.Length > 160 ? s[..160] + $"…({s.Length})" : s;

    /// <summary>Every event in the system of record (PostgreSQL's table, or this ledger's streams in EventStoreDB).</summary>
    private Task<long> EventCountAsync() => _world.CountEventsAsync(_ => true);
}
