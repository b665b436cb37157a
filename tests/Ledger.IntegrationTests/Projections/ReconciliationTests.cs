using Xunit;
using System.Net;
using System.Text.Json;
using Ledger.Domain.Reconciliation;
using Ledger.IntegrationTests.Journeys;
using Xunit.Abstractions;
using static Ledger.IntegrationTests.Journeys.LedgerWorld;

namespace Ledger.IntegrationTests.Projections;

/// <summary>
/// The discrepancy view over real PostgreSQL and the async daemon: every rule opened, closed by itself or never
/// due, the SLA rules judged by the clock at query time, finance's clearing, the filters and the CSV export.
/// </summary>
public sealed class ReconciliationTests(ReconciliationWorld fixture, ITestOutputHelper output) : IClassFixture<ReconciliationWorld>
{
    private LedgerWorld World => fixture.World;

    [Fact]
    public async Task Every_rule_is_found_and_each_finding_has_the_status_its_history_gives_it()
    {
        var rows = await ListAsync(World.Finance, "status=all&pageSize=500");
        var found = rows.Where(r => r.GetProperty("subject").GetString() != ReconciliationHistory.ClearingSubject)
            .ToDictionary(r => (r.GetProperty("rule").GetString()!, r.GetProperty("subject").GetString()!), r => r.GetProperty("status").GetString()!);
        foreach (var ((rule, subject), status) in found.OrderBy(f => f.Key)) output.WriteLine($"{rule} {subject}: {status}");

        Assert.Equal(ReconciliationHistory.Expected.OrderBy(e => e.Key), found.OrderBy(f => f.Key));
        Assert.Equal(DiscrepancyRules.All.Count, found.Keys.Select(k => k.Item1).Distinct().Count());
        Assert.Equal(14, DiscrepancyRules.All.Count);
    }

    [Fact]
    public async Task Each_finding_names_the_events_that_prove_it_and_the_amounts_involved()
    {
        var mismatch = await GetAsync("QTC-05:1:Q-MISMATCH");
        Assert.Equal("Critical", mismatch.GetProperty("severity").GetString());
        Assert.Equal("finance", mismatch.GetProperty("owner").GetString());
        Assert.Equal(14_400m, mismatch.GetProperty("expected").GetProperty("value").GetDecimal());
        Assert.Equal(14_000m, mismatch.GetProperty("actual").GetProperty("value").GetDecimal());
        var evidence = mismatch.GetProperty("evidence").EnumerateArray().Select(e => e.GetProperty("stream").GetString()).ToList();
        Assert.Contains("order-ord-Q-MISMATCH", evidence);
        Assert.Contains("billing-ord-Q-MISMATCH", evidence);

        // An SLA rule is detected when its time ran out: accepted at T0, two days to order.
        var notOrdered = await GetAsync("QTC-01:1:Q-ANO");
        Assert.Equal(Q2C.T0.Plus(NodaTime.Duration.FromDays(2)).ToString(), notOrdered.GetProperty("detectedAt").GetString());

        // A finding that closed itself names the event that closed it.
        var closed = await GetAsync("QTC-10:1:Q-BILLED-EARLY");
        Assert.Equal("order-ord-Q-BILLED-EARLY", closed.GetProperty("closedBy").GetProperty("stream").GetString());
        Assert.Equal("order-placed.v2", closed.GetProperty("closedBy").GetProperty("type").GetString());

        // Billing never answered: due an hour after the handoff was requested at T0+4h15m; billing-ops' to chase, High.
        var unanswered = await GetAsync("QTC-11:1:Q-UNANSWERED");
        Assert.Equal(("High", "billing-ops", "Open"), (unanswered.GetProperty("severity").GetString(), unanswered.GetProperty("owner").GetString(),
            unanswered.GetProperty("status").GetString()));
        Assert.Equal(Q2C.T0.Plus(NodaTime.Duration.FromMinutes(4 * 60 + 15 + 60)).ToString(), unanswered.GetProperty("detectedAt").GetString());
        Assert.Equal(["order-ord-Q-UNANSWERED", "billing-ord-Q-UNANSWERED"],
            unanswered.GetProperty("evidence").EnumerateArray().Select(e => e.GetProperty("stream").GetString()));
        // Answered late: closed by the acknowledgement; cancelled late: closed by the cancellation.
        Assert.Equal("billing-handoff-acknowledged.v1", (await GetAsync("QTC-11:1:Q-ANSWERED-LATE")).GetProperty("closedBy").GetProperty("type").GetString());
        Assert.Equal("order-cancelled.v1", (await GetAsync("QTC-11:1:Q-HANDOFF-CANCELLED-LATE")).GetProperty("closedBy").GetProperty("type").GetString());
    }

    [Fact]
    public async Task An_sla_rule_is_not_a_discrepancy_before_its_time_runs_out()
    {
        // One more accepted quote, accepted "now": its order SLA has two days to run.
        await fixture.History.Append(Q2C.Quote("Q-JUST-ACCEPTED"), ReconciliationHistory.Now, Q2C.AcceptedQuote("Q-JUST-ACCEPTED", 100m));
        await fixture.CaughtUpAsync();
        Assert.DoesNotContain(await ListAsync(World.Finance, "status=all&pageSize=500"), r => r.GetProperty("subject").GetString() == "Q-JUST-ACCEPTED");

        var before = fixture.Clock.GetCurrentInstant();
        try
        {
            fixture.Clock.Advance(NodaTime.Duration.FromDays(2));
            var row = Assert.Single(await ListAsync(World.Finance, "rule=QTC-01&pageSize=500"), r => r.GetProperty("subject").GetString() == "Q-JUST-ACCEPTED");
            Assert.Equal("Open", row.GetProperty("status").GetString());
        }
        finally
        {
            fixture.Clock.Reset(before);
        }
    }

    [Fact]
    public async Task Finance_acknowledges_assigns_and_resolves_and_the_resolved_discrepancy_leaves_the_open_list_but_stays_in_history()
    {
        const string id = "QTC-01:1:Q-CLR";
        (await Post(World.Finance, $"/reconciliation/discrepancies/{id}/acknowledge", new { note = "Asking sales ops" })).EnsureAccepted();
        (await Post(World.Finance, $"/reconciliation/discrepancies/{id}/assign", new { owner = "revenue-ops" })).EnsureAccepted();
        await fixture.CaughtUpAsync();
        var assigned = await GetAsync(id);
        Assert.Equal("Acknowledged", assigned.GetProperty("status").GetString());
        Assert.Equal("revenue-ops", assigned.GetProperty("owner").GetString());
        Assert.Contains(await ListAsync(World.Finance, "owner=revenue-ops"), r => r.GetProperty("id").GetString() == id);

        var noReason = await Post(World.Finance, $"/reconciliation/discrepancies/{id}/resolve", new { reason = " " });
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.Equal("reason", (await noReason.Json()).GetProperty("field").GetString());

        (await Post(World.Finance, $"/reconciliation/discrepancies/{id}/resolve", new { reason = "Customer signed with the reseller; order goes through the partner portal" })).EnsureAccepted();
        await fixture.CaughtUpAsync();

        Assert.DoesNotContain(await ListAsync(World.Finance, "pageSize=500"), r => r.GetProperty("id").GetString() == id);
        var resolved = Assert.Single(await ListAsync(World.Finance, "status=resolved&pageSize=500"), r => r.GetProperty("id").GetString() == id);
        Assert.Equal("finance", resolved.GetProperty("resolvedByWhom").GetString());

        // The clearing is in the event store, in the discrepancy's own stream.
        var stream = await World.StreamAsync($"discrepancy-{id}");
        Assert.Equal(["discrepancy-acknowledged.v1", "discrepancy-assigned.v1", "discrepancy-resolved.v1"], stream.Select(e => e.Type));

        // History is closed: a different resolution is refused, and writes nothing.
        var again = await Post(World.Finance, $"/reconciliation/discrepancies/{id}/resolve", new { reason = "Another story" });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(3, (await World.StreamAsync($"discrepancy-{id}")).Count);
    }

    [Fact]
    public async Task Clearing_what_the_list_does_not_hold_is_refused_and_writes_nothing()
    {
        var unknown = await Post(World.Finance, "/reconciliation/discrepancies/QTC-01:1:Q-NOPE/acknowledge", new { note = "x" });
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        var malformed = await Post(World.Finance, "/reconciliation/discrepancies/not-an-id/resolve", new { reason = "x" });
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal("id", (await malformed.Json()).GetProperty("field").GetString());
        Assert.Empty(await World.StreamAsync("discrepancy-QTC-01:1:Q-NOPE"));

        var notFinance = await Post(World.Salesforce, "/reconciliation/discrepancies/QTC-01:1:Q-ANO/resolve", new { reason = "mine" });
        Assert.Equal(HttpStatusCode.Forbidden, notFinance.StatusCode);
    }

    [Fact]
    public async Task The_list_filters_by_rule_crm_owner_and_age_and_pages()
    {
        var currency = await ListAsync(World.Finance, "rule=billed-amount-mismatch&crm=hubspot");
        Assert.Equal(["Q-CURRENCY"], currency.Select(r => r.GetProperty("subject").GetString()));

        var billingOps = await ListAsync(World.Finance, "owner=billing-ops&pageSize=500");
        Assert.All(billingOps, r => Assert.Equal("billing-ops", r.GetProperty("owner").GetString()));
        Assert.Equal(["QTC-03", "QTC-04", "QTC-09", "QTC-11"], billingOps.Select(r => r.GetProperty("rule").GetString()).Distinct().Order());

        // Detected ten days ago (the immediate rules) vs. eight days ago (the order SLA ran out after two).
        var old = await ListAsync(World.Finance, "minAgeHours=230&pageSize=500");
        Assert.DoesNotContain(old, r => r.GetProperty("rule").GetString() == "QTC-01");
        Assert.Contains(old, r => r.GetProperty("rule").GetString() == "QTC-04");

        var page1 = await World.Finance.GetAsync("/reconciliation/discrepancies?pageSize=3&page=1");
        var body = await page1.EnsureAccepted().Json();
        Assert.Equal(3, body.GetProperty("items").GetArrayLength());
        Assert.True(body.GetProperty("total").GetInt32() > 3);
        var page2 = await (await World.Finance.GetAsync("/reconciliation/discrepancies?pageSize=3&page=2")).EnsureAccepted().Json();
        Assert.Empty(body.GetProperty("items").EnumerateArray().Select(Id).Intersect(page2.GetProperty("items").EnumerateArray().Select(Id)));

        var bad = await World.Finance.GetAsync("/reconciliation/discrepancies?rule=QTC-99");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("rule", (await bad.Json()).GetProperty("field").GetString());
    }

    [Fact]
    public async Task Finance_exports_the_list_as_csv()
    {
        var response = await World.Finance.GetAsync("/reconciliation/discrepancies?format=csv&status=all");
        response.EnsureAccepted();
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).TrimEnd('\n').Split('\n');
        Assert.Equal("id,rule,rule_name,severity,owner,status,subject,crms,detected_at,age_hours,expected,actual,detail,evidence", lines[0]);
        var json = await ListAsync(World.Finance, "status=all&pageSize=500");
        Assert.Equal(json.Count, lines.Length - 1);
        Assert.Contains(lines, l => l.StartsWith("QTC-05:1:Q-MISMATCH,QTC-05,billed-amount-mismatch,Critical,finance,Open,Q-MISMATCH,salesforce,", StringComparison.Ordinal)
                                    && l.Contains(",14400 USD,14000 USD,"));

        using var request = new HttpRequestMessage(HttpMethod.Get, "/reconciliation/discrepancies");
        request.Headers.Accept.ParseAdd("text/csv");
        Assert.Equal("text/csv", (await World.Finance.SendAsync(request)).Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_crm_client_sees_only_its_own_crm_in_every_view()
    {
        // Quote views: another CRM's list is forbidden, another CRM's quote is not in this CRM's view.
        Assert.Equal(HttpStatusCode.Forbidden, (await World.Salesforce.GetAsync("/crm/hubspot/quotes")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await World.Salesforce.GetAsync("/crm/salesforce/quotes/Q-CURRENCY")).StatusCode);
        var own = await (await World.HubSpot.GetAsync("/crm/hubspot/quotes/Q-CURRENCY")).EnsureAccepted().Json();
        Assert.Equal("hubspot", own.GetProperty("sourceCrm").GetString());
        var list = await (await World.Salesforce.GetAsync("/crm/salesforce/quotes?pageSize=500")).EnsureAccepted().Json();
        Assert.All(list.GetProperty("items").EnumerateArray(), q => Assert.Equal("salesforce", q.GetProperty("sourceCrm").GetString()));
        Assert.Contains(list.GetProperty("items").EnumerateArray(), q => q.GetProperty("id").GetString() == "Q-ANO");

        // Discrepancies: the CRM's filter is forced; asking for another CRM is forbidden.
        var mine = await ListAsync(World.HubSpot, "status=all&pageSize=500");
        Assert.NotEmpty(mine);
        Assert.All(mine, r => Assert.Contains("hubspot", r.GetProperty("crms").EnumerateArray().Select(c => c.GetString())));
        Assert.Equal(HttpStatusCode.Forbidden, (await World.HubSpot.GetAsync("/reconciliation/discrepancies?crm=salesforce")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await World.HubSpot.GetAsync("/reconciliation/discrepancies/QTC-05:1:Q-MISMATCH")).StatusCode);

        // And the revenue summary is finance's.
        Assert.Equal(HttpStatusCode.Forbidden, (await World.Salesforce.GetAsync("/revenue/summary")).StatusCode);
    }

    [Fact]
    public async Task Each_value_in_the_crm_view_says_which_event_it_reflects()
    {
        var view = await (await World.Salesforce.GetAsync("/crm/salesforce/quotes/Q-MISMATCH")).EnsureAccepted().Json();
        Assert.Equal("Accepted", view.GetProperty("status").GetProperty("value").GetString());
        Assert.Equal("quote-Q-MISMATCH", view.GetProperty("status").GetProperty("source").GetProperty("stream").GetString());
        var billing = view.GetProperty("billing");
        Assert.Equal("Acknowledged", billing.GetProperty("value").GetProperty("progress").GetString());
        Assert.Equal("billing-ord-Q-MISMATCH", billing.GetProperty("source").GetProperty("stream").GetString());
        Assert.True(billing.GetProperty("source").GetProperty("position").GetInt64() > view.GetProperty("status").GetProperty("source").GetProperty("position").GetInt64());
        Assert.Equal("opp-Q-MISMATCH", view.GetProperty("crmOpportunityId").GetString());
        Assert.Equal("cust-Q-MISMATCH", view.GetProperty("customerId").GetString());
    }

    [Fact]
    public async Task The_approval_queue_lists_what_waits_by_level_and_group()
    {
        var queue = await (await World.Approver.GetAsync("/approvals/queue")).EnsureAccepted().Json();
        var item = Assert.Single(queue.GetProperty("items").EnumerateArray());
        Assert.Equal("Q-PENDING-r1", item.GetProperty("item").GetProperty("id").GetString());
        Assert.Equal("VicePresident", item.GetProperty("item").GetProperty("pendingLevel").GetString());
        Assert.Equal("sales-vp", item.GetProperty("item").GetProperty("approverGroup").GetString());
        // Deal desk granted at T0+6h; the clock stands at T0+10d.
        Assert.Equal(NodaTime.Duration.FromDays(10) - NodaTime.Duration.FromHours(6),
            NodaTime.Text.DurationPattern.CreateWithInvariantCulture("-H:mm:ss.FFFFFFFFF").Parse(item.GetProperty("age").GetString()!).Value);
        Assert.Empty((await (await World.Approver.GetAsync("/approvals/queue?group=deal-desk")).EnsureAccepted().Json()).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task The_revenue_summary_sums_accepted_ordered_and_billed_by_crm_region_currency_and_month()
    {
        var lines = (await (await World.Finance.GetAsync("/revenue/summary?crm=hubspot")).EnsureAccepted().Json()).EnumerateArray().ToList();
        var eur = Assert.Single(lines, l => l.GetProperty("currency").GetString() == "EUR");
        Assert.Equal(("eu-west", "2026-03"), (eur.GetProperty("region").GetString(), eur.GetProperty("month").GetString()));
        Assert.Equal(10_000m, eur.GetProperty("accepted").GetDecimal());
        Assert.Equal(10_000m, eur.GetProperty("ordered").GetDecimal());
        Assert.Equal(0m, eur.GetProperty("billed").GetDecimal());
        // Q-ORD-LATE (5,000 USD, billed) and Q-CURRENCY billed in USD (10,000) instead of EUR.
        var usd = Assert.Single(lines, l => l.GetProperty("currency").GetString() == "USD");
        Assert.Equal((5_000m, 5_000m, 15_000m), (usd.GetProperty("accepted").GetDecimal(), usd.GetProperty("ordered").GetDecimal(), usd.GetProperty("billed").GetDecimal()));
    }

    [Fact]
    public async Task The_auditor_timeline_of_a_quote_includes_what_its_crm_reported()
    {
        var timeline = await (await World.Auditor.GetAsync("/quotes/Q-CRM-LATE/timeline")).EnsureAccepted().Json();
        Assert.Contains("crm-quote-report-salesforce-Q-CRM-LATE", timeline.GetProperty("streams").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(2, timeline.GetProperty("entries").EnumerateArray().Count(e => e.GetProperty("type").GetString() == "crm-quote-state-reported.v1"));
    }

    /// <summary>What only reconciliation reads (ADR/0029): none of it may reach a CRM, at any depth of its view.</summary>
    private static readonly string[] ReconciliationFields =
        ["discrepancies", "hasDiscrepancies", "billingRecords", "approvals", "sentUnderStaleApproval", "duplicateInvoiceDetected", "reconciledBilled", "reportedByCrm"];

    [Fact]
    public async Task A_crm_view_of_a_quote_carries_what_the_crm_shows_and_nothing_of_reconciliation()
    {
        // Quotes whose reconciliation holds billing records, a CRM report, approval tracks, markers and discrepancies.
        string[] quotes = ["Q-MISMATCH", "Q-STALE-APPROVAL", "Q-DUP-RECORDS", "Q-DUP-INV", "Q-CRM-LATE", "Q-CRM-STALE", "Q-FAILED", "Q-CURRENCY"];
        var listed = new Dictionary<string, JsonElement>();
        foreach (var crm in new[] { "salesforce", "hubspot" })
        {
            var page = await (await World.Finance.GetAsync($"/crm/{crm}/quotes?pageSize=500")).EnsureAccepted().Json();
            foreach (var item in page.GetProperty("items").EnumerateArray()) listed[item.GetProperty("id").GetString()!] = item;
        }
        Assert.All(quotes, q => Assert.Contains(q, listed.Keys));
        var discrepancyIds = (await ListAsync(World.Finance, "status=all&pageSize=500")).Select(Id).ToList();
        Assert.Contains("QTC-05:1:Q-MISMATCH", discrepancyIds);

        foreach (var (id, item) in listed)
        {
            var crm = item.GetProperty("sourceCrm").GetString()!;
            var single = await (await World.Finance.GetAsync($"/crm/{crm}/quotes/{id}")).EnsureAccepted().Json();
            foreach (var body in new[] { item, single })
            {
                // The whole body, the contract beside the quote included (ADR/0029): no discrepancy, no reported fact's event.
                AssertNothingOfReconciliation(body, ReconciliationFields, discrepancyIds, "crm-quote-state-reported");
            }
        }

        // What the CRM does see: its ids, status, totals, approval progress, accepted, order and where billing stands.
        var mismatch = await (await World.Salesforce.GetAsync("/crm/salesforce/quotes/Q-MISMATCH")).EnsureAccepted().Json();
        Assert.Equal(("opp-Q-MISMATCH", "Accepted"), (mismatch.GetProperty("crmOpportunityId").GetString(), mismatch.GetProperty("status").GetProperty("value").GetString()));
        Assert.Equal(14_400m, mismatch.GetProperty("accepted").GetProperty("value").GetProperty("value").GetDecimal());
        Assert.Equal("ord-Q-MISMATCH", mismatch.GetProperty("order").GetProperty("value").GetProperty("orderId").GetString());
        Assert.Equal(("Acknowledged", 14_000m), (mismatch.GetProperty("billing").GetProperty("value").GetProperty("progress").GetString(),
            mismatch.GetProperty("billing").GetProperty("value").GetProperty("billed").GetProperty("value").GetDecimal()));
        Assert.Equal(14_400m, mismatch.GetProperty("totals").GetProperty("value").GetProperty("netTotal").GetDecimal());
        Assert.Equal(JsonValueKind.Object, mismatch.GetProperty("approval").ValueKind);

        // The API page says so, and where finance reads the rest.
        var openApi = await (await World.Admin.GetAsync("/openapi/v1.json")).EnsureAccepted().Json();
        foreach (var path in new[] { "/crm/{crm}/quotes", "/crm/{crm}/quotes/{quoteId}" })
            Assert.Contains("/reconciliation/discrepancies", openApi.GetProperty("paths").GetProperty(path).GetProperty("get").GetProperty("description").GetString());
    }

    /// <summary>
    /// A CRM's body holds none of reconciliation's properties (at any depth), names no discrepancy, and cites no event of a
    /// reported fact (billing's records, the CRM's own reports) or of finance's clearing.
    /// </summary>
    private static void AssertNothingOfReconciliation(JsonElement body, IEnumerable<string> fields, IEnumerable<string> discrepancyIds, string crmReportEvent)
    {
        var names = PropertyNames(body).ToList();
        Assert.All(fields, field => Assert.DoesNotContain(field, names));
        var text = body.GetRawText();
        Assert.All(discrepancyIds, d => Assert.DoesNotContain(d, text));
        Assert.DoesNotContain("billing-record-reported", text);
        Assert.DoesNotContain(crmReportEvent, text);
        Assert.DoesNotContain("discrepancy-", text);
    }

    /// <summary>What only reconciliation reads of a contract (ADR/0029).</summary>
    private static readonly string[] ContractReconciliationFields = ["discrepancies", "hasDiscrepancies", "billingRecords", "crmReports"];

    [Fact]
    public async Task A_crm_view_of_a_contract_carries_its_terms_and_nothing_of_reconciliation()
    {
        // Contracts whose reconciliation holds billing records (A, B), CRM reports (G, H) and discrepancies of every contract rule.
        string[] contracts = ["ctr-Q-CTR-A", "ctr-Q-CTR-B", "ctr-Q-CTR-C", "ctr-Q-CTR-D", "ctr-Q-CTR-E", "ctr-Q-CTR-F", "ctr-Q-CTR-G", "ctr-Q-CTR-H"];
        var discrepancyIds = (await ListAsync(World.Finance, "status=all&pageSize=500")).Select(Id).ToList();
        Assert.Contains("QTC-12:1:ctr-Q-CTR-A", discrepancyIds);
        Assert.Contains("QTC-14:1:ctr-Q-CTR-G", discrepancyIds);

        foreach (var id in contracts)
        {
            // The contract's CRM reads it, and finance reads the same document.
            var crm = await Eventually(async () => await World.Salesforce.GetAsync($"/contracts/{id}/view"), r => r.IsSuccessStatusCode, TimeSpan.FromSeconds(60));
            var viewed = await crm.EnsureAccepted().Json();
            var byFinance = await (await World.Finance.GetAsync($"/contracts/{id}/view")).EnsureAccepted().Json();
            Assert.Equal(viewed.GetRawText(), byFinance.GetRawText());
            AssertNothingOfReconciliation(viewed, ContractReconciliationFields, discrepancyIds, "crm-contract-state-reported");
            // Not moved by what a CRM cannot see: its last event is the contract's own or its changes' billing handoff.
            var through = viewed.GetProperty("through").GetProperty("stream").GetString()!;
            Assert.True(through.StartsWith("contract-", StringComparison.Ordinal) || through.StartsWith("billing-ctr-", StringComparison.Ordinal), through);
        }

        // What the CRM does see: the terms, the changes made, where each change's billing stands, the value movements.
        var a = await (await World.Salesforce.GetAsync("/contracts/ctr-Q-CTR-A/view")).EnsureAccepted().Json();
        Assert.Equal(("Q-CTR-A", 2), (a.GetProperty("quoteId").GetString(), a.GetProperty("contractVersion").GetInt32()));
        var change = Assert.Single(a.GetProperty("changes").EnumerateArray());
        Assert.Equal((1_000m, 900m), (change.GetProperty("expected").GetProperty("value").GetDecimal(), change.GetProperty("acknowledged").GetProperty("value").GetDecimal()));
        Assert.Equal(["Amendment"], a.GetProperty("changesMade").EnumerateArray().Select(c => c.GetProperty("kind").GetString()));
        Assert.Equal(["New", "Expansion"], a.GetProperty("movements").EnumerateArray().Select(m => m.GetProperty("kind").GetString()));
        // The records billing reported for A and the CRM's report of G are reconciliation's (the list shows what they found).
        var g = await (await World.Salesforce.GetAsync("/contracts/ctr-Q-CTR-G/view")).EnsureAccepted().Json();
        Assert.Equal(["Amendment"], g.GetProperty("changesMade").EnumerateArray().Select(c => c.GetProperty("kind").GetString()));

        // The API page says so, and where finance reads the rest.
        var openApi = await (await World.Admin.GetAsync("/openapi/v1.json")).EnsureAccepted().Json();
        Assert.Contains("/reconciliation/discrepancies",
            openApi.GetProperty("paths").GetProperty("/contracts/{contractId}/view").GetProperty("get").GetProperty("description").GetString());
    }

    private static IEnumerable<string> PropertyNames(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => PropertyNames(p.Value).Prepend(p.Name)),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(PropertyNames),
        _ => [],
    };

    private static string Id(JsonElement row) => row.GetProperty("id").GetString()!;

    private async Task<JsonElement> GetAsync(string id) =>
        await (await World.Finance.GetAsync($"/reconciliation/discrepancies/{id}")).EnsureAccepted().Json();

    private static async Task<List<JsonElement>> ListAsync(HttpClient client, string query) =>
        (await (await client.GetAsync($"/reconciliation/discrepancies?{query}")).EnsureAccepted().Json()).GetProperty("items").EnumerateArray().ToList();
}
