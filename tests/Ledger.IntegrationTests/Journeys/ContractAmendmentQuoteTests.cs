using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;
using Xunit;
using static Ledger.IntegrationTests.Journeys.LedgerWorld;

namespace Ledger.IntegrationTests.Journeys;

/// <summary>
/// An amendment as a quote (ADR/0021), over real HTTP, PostgreSQL and the billing simulator, dated by a fake clock: drafted
/// against a contract version, priced at its prorated co-termed delta (to the cent in USD, to the yen in JPY), submitted
/// under the policy (within it, and with the deal desk's approval), sent, accepted and ordered; the order's delta is billed
/// as the contract's change and amends the contract; an amendment quote whose contract moved on is refused at order.
/// </summary>
public sealed class ContractAmendmentQuoteTests : IAsyncLifetime
{
    // Billed on January 2nd, 2026 in New York: the annual term runs through January 1st, 2027 (365 days).
    private readonly FakeClock _clock = new(Instant.FromUtc(2026, 1, 2, 15, 0));
    private LedgerWorld _world = null!;

    public async Task InitializeAsync()
    {
        _world = await StartAsync(nameof(ContractAmendmentQuoteTests), services: s => s.AddSingleton<IClock>(_clock));
        await _world.PublishCatalogAndPolicyAsync();
        (await Post(_world.Admin, "/catalog/versions", new
        {
            version = "2026.4-aq",
            offerings = new object[]
            {
                new { productOfferingId = "SAAS-AQ", name = "Analytics seats (annual)",
                    listPrices = new[] { new { currency = "USD", amount = 1200.00m }, new { currency = "JPY", amount = 123457m } },
                    subscription = new { termMonths = 12, evergreen = false } },
                new { productOfferingId = "ADDON-AQ", name = "Data connectors (annual)", listPrices = new[] { new { currency = "USD", amount = 500.00m } },
                    subscription = new { termMonths = 12, evergreen = false } },
            },
        })).EnsureAccepted();
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task Amendment_quotes_are_priced_at_their_prorated_delta_approved_sent_accepted_and_ordered_their_delta_billed_and_the_contract_amended_a_stale_one_refused()
    {
        var hs = _world.HubSpot;
        await ContractTests.OrderWithinPolicyAsync(hs, ContractTests.AcmeDraft("Q-AQ", "2026-01-01"), "2026.4-aq", ("L1", "SAAS-AQ", 10, 5));
        var started = (await Eventually(() => _world.StreamAsync("contract-ctr-Q-AQ"), e => e.Count > 0, TimeSpan.FromSeconds(90)))[0].Data;
        Assert.Equal(("2026-01-02", "2027-01-01"), (started.GetProperty("startDate").GetString(), started.GetProperty("endDate").GetString()));

        // March 20th: five more seats from April 1st, an amendment quote against version 1 whose lines start from the contract's.
        _clock.Reset(Instant.FromUtc(2026, 3, 20, 15, 0));
        var drafted = await Post(hs, "/contracts/ctr-Q-AQ/amendment-quotes", new { expectedVersion = 1, effectiveDate = "2026-04-01" });
        Assert.Equal(HttpStatusCode.Created, drafted.StatusCode);
        Assert.Equal("/quotes/Q-AQ-AM1", drafted.Headers.Location?.ToString());
        Assert.Equal(("Q-AQ-AM1", 1), ((await drafted.Json()).GetProperty("quoteId").GetString(), (await drafted.Json()).GetProperty("basedOnVersion").GetInt32()));
        var line = (await _world.StreamAsync("quote-Q-AQ-AM1")).Single(e => e.Type == "quote-line-added.v1").Data.GetProperty("line");
        Assert.Equal(("L1", 10m, 1200.00m, 5m), (line.GetProperty("lineId").GetString(), line.GetProperty("quantity").GetDecimal(),
            line.GetProperty("listPrice").GetDecimal(), line.GetProperty("discountPercent").GetDecimal()));

        // The CRM changes the quantity as on any quote; pricing gives the delta: 5 seats × 1,200 − 5% = 5,700 a term, for 276 of 365 days.
        (await Post(hs, "/quotes/Q-AQ-AM1/lines/L1/change", new { quantity = 15, discountPercent = 5 })).EnsureAccepted();
        (await Post(hs, "/quotes/Q-AQ-AM1/price", new { policyVersion = "P-2026.1" })).EnsureAccepted();
        var priced = Snapshot(await _world.StreamAsync("quote-Q-AQ-AM1"));
        var pricedLine = Assert.Single(priced.GetProperty("lines").EnumerateArray());
        Assert.Equal((5m, 4536.99m, 226.85m, 4310.14m), (pricedLine.GetProperty("quantity").GetDecimal(), pricedLine.GetProperty("listAmount").GetDecimal(),
            pricedLine.GetProperty("discountAmount").GetDecimal(), pricedLine.GetProperty("netAmount").GetDecimal()));
        Assert.Equal(4310.14m, priced.GetProperty("netTotal").GetDecimal());

        // Within policy (5% on what grows): approved on submit; then sent, accepted and ordered as any quote.
        var submitted = await (await Post(hs, "/quotes/Q-AQ-AM1/submit")).EnsureAccepted().Json();
        Assert.Contains("quote-approved.v1", submitted.GetProperty("events").EnumerateArray().Select(e => e.GetString()));
        await SendAcceptAndOrderAsync(hs, "Q-AQ-AM1");

        // The order notes the contract it amends and has no handoff of its own; the contract is amended to version 2 and the
        // delta billed as its change (billing-ctr-Q-AQ-v2); billing's acknowledgement closes the order.
        var amended = (await Eventually(() => _world.StreamAsync("contract-ctr-Q-AQ"), e => e.Any(x => x.Type == "contract-change-billed.v1"), TimeSpan.FromSeconds(90)))
            .Single(e => e.Type == "contract-amended-by-quote.v1").Data;
        Assert.Equal((2, "Q-AQ-AM1", "ord-Q-AQ-AM1", "2026-04-01", 276, 365, 4310.14m), (amended.GetProperty("version").GetInt32(), amended.GetProperty("quoteId").GetString(),
            amended.GetProperty("orderId").GetString(), amended.GetProperty("effectiveDate").GetString(), amended.GetProperty("daysRemaining").GetInt32(),
            amended.GetProperty("daysInTerm").GetInt32(), amended.GetProperty("proratedTotal").GetDecimal()));
        var handoff = (await _world.StreamAsync("billing-ctr-Q-AQ-v2"))[0].Data;
        Assert.Equal((4310.14m, "USD", "Amendment"), (handoff.GetProperty("amount").GetDecimal(), handoff.GetProperty("currency").GetString(),
            handoff.GetProperty("contractChange").GetProperty("kind").GetString()));
        Assert.Empty(await _world.StreamAsync("billing-ord-Q-AQ-AM1"));
        Assert.Empty(await _world.StreamAsync("contract-ctr-Q-AQ-AM1"));
        var order = await Eventually(() => _world.StreamAsync("order-ord-Q-AQ-AM1"), e => e.Any(x => x.Type == "order-closed.v1"), TimeSpan.FromSeconds(60));
        Assert.Equal(["order-amends-contract.v1", "order-placed.v2", "order-closed.v1"], order.Select(e => e.Type));
        Assert.Equal("Ordered", (await (await hs.GetAsync("/quotes/Q-AQ-AM1")).Json()).GetProperty("status").GetString());

        // June 20th: two amendment quotes against version 2 from July 1st, each on its own CRM opportunity: a new add-on line at 15%
        // (above the deal desk's 10%), and one more seat (within policy).
        _clock.Reset(Instant.FromUtc(2026, 6, 20, 15, 0));
        (await Post(hs, "/contracts/ctr-Q-AQ/amendment-quotes", new { expectedVersion = 2, effectiveDate = "2026-07-01", crmOpportunityId = "OPP-AQ-ADDON" })).EnsureAccepted();
        (await Post(hs, "/contracts/ctr-Q-AQ/amendment-quotes", new { expectedVersion = 2, effectiveDate = "2026-07-01", crmOpportunityId = "OPP-AQ-SEAT" })).EnsureAccepted();
        (await Post(hs, "/quotes/Q-AQ-AM2/lines", new { lineId = "L2", productOfferingId = "ADDON-AQ", catalogVersion = "2026.4-aq", quantity = 4, discountPercent = 15 }))
            .EnsureAccepted();
        (await Post(hs, "/quotes/Q-AQ-AM3/lines/L1/change", new { quantity = 16, discountPercent = 5 })).EnsureAccepted();
        foreach (var quote in new[] { "Q-AQ-AM2", "Q-AQ-AM3" }) (await Post(hs, $"/quotes/{quote}/price", new { policyVersion = "P-2026.1" })).EnsureAccepted();
        // 4 × 500 − 15% = 1,700 a term, for 185 of 365 days.
        var addOn = Snapshot(await _world.StreamAsync("quote-Q-AQ-AM2"));
        Assert.Equal((1013.70m, 152.06m, 861.64m), (addOn.GetProperty("listTotal").GetDecimal(), addOn.GetProperty("discountTotal").GetDecimal(),
            addOn.GetProperty("netTotal").GetDecimal()));

        // The add-on needs the deal desk: submit asks for it, the approver grants it on the quote's approval stream.
        var waiting = await (await Post(hs, "/quotes/Q-AQ-AM2/submit")).EnsureAccepted().Json();
        Assert.DoesNotContain("quote-approved.v1", waiting.GetProperty("events").EnumerateArray().Select(e => e.GetString()));
        var approval = await Eventually(() => _world.StreamAsync("approval-Q-AQ-AM2-r1"), e => e.Count > 0);
        Assert.Equal(["DealDesk"], approval[0].Data.GetProperty("levels").EnumerateArray().Select(l => l.GetString()));
        (await Post(_world.Approver, "/approvals/Q-AQ-AM2/1/grant", new { level = "DealDesk", approver = "dave.dealdesk" })).EnsureAccepted();
        await Eventually(() => _world.StreamAsync("quote-Q-AQ-AM2"), e => e.Any(x => x.Type == "quote-approved.v1"), TimeSpan.FromSeconds(60));

        // The seat quote is approved on submit and accepted too, but the add-on is ordered first: it makes version 3.
        (await Post(hs, "/quotes/Q-AQ-AM3/submit")).EnsureAccepted();
        (await Post(hs, "/quotes/Q-AQ-AM3/send", new { documentHash = "sha256:Q-AQ-AM3" })).EnsureAccepted();
        (await Post(hs, "/quotes/Q-AQ-AM3/accept", new { revision = 1, acceptanceType = "signature", signer = "Dana Whitfield" })).EnsureAccepted();
        await SendAcceptAndOrderAsync(hs, "Q-AQ-AM2");
        var third = (await Eventually(() => _world.StreamAsync("contract-ctr-Q-AQ"), e => e.Count(x => x.Type == "contract-change-billed.v1") == 2, TimeSpan.FromSeconds(90)))
            .Single(e => e.Type == "contract-amended-by-quote.v1" && e.Data.GetProperty("version").GetInt32() == 3).Data;
        Assert.Equal(861.64m, third.GetProperty("proratedTotal").GetDecimal());
        Assert.Equal(861.64m, (await _world.StreamAsync("billing-ctr-Q-AQ-v3"))[0].Data.GetProperty("amount").GetDecimal());

        // The seat quote amends version 2, which is no longer the contract's: its order is refused, with the field, and nothing is placed.
        var stale = await Post(hs, "/quotes/Q-AQ-AM3/order", new { billingAccount = "BA-ACME-US" });
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        var problem = await stale.Json();
        Assert.Equal(("contract.stale-version", "quoteId"), (problem.GetProperty("code").GetString(), problem.GetProperty("field").GetString()));
        Assert.Contains("version 2", problem.GetProperty("detail").GetString());
        Assert.DoesNotContain("System.", await stale.Content.ReadAsStringAsync());
        Assert.Empty(await _world.StreamAsync("order-ord-Q-AQ-AM3"));
        // So is a new amendment quote written against version 2.
        var staleDraft = await Post(hs, "/contracts/ctr-Q-AQ/amendment-quotes", new { expectedVersion = 2, effectiveDate = "2026-07-01", crmOpportunityId = "OPP-AQ-LATE" });
        Assert.Equal((HttpStatusCode.Conflict, "contract.stale-version"), (staleDraft.StatusCode, (await staleDraft.Json()).GetProperty("code").GetString()));
        Assert.Empty(await _world.StreamAsync("quote-Q-AQ-AM4"));
        var missing = await Post(hs, "/contracts/ctr-Q-AQ/amendment-quotes", new { effectiveDate = "2026-07-01" });
        Assert.Equal((HttpStatusCode.BadRequest, "expectedVersion"), (missing.StatusCode, (await missing.Json()).GetProperty("field").GetString()));
        Assert.Equal(HttpStatusCode.Forbidden, (await Post(_world.Salesforce, "/contracts/ctr-Q-AQ/amendment-quotes", new { expectedVersion = 3, effectiveDate = "2026-07-01" })).StatusCode);

        // The contract shows the new lines and version 3, and its amendment quotes with the versions their orders made.
        var contract = await (await hs.GetAsync("/contracts/ctr-Q-AQ")).EnsureAccepted().Json();
        Assert.Equal(3, contract.GetProperty("version").GetInt32());
        Assert.Equal([("L1", 15m), ("L2", 4m)], contract.GetProperty("lines").EnumerateArray()
            .Select(l => (l.GetProperty("lineId").GetString()!, l.GetProperty("quantity").GetDecimal())));
        Assert.Equal([("Q-AQ-AM1", 2), ("Q-AQ-AM2", 3), ("Q-AQ-AM3", 0)], contract.GetProperty("amendmentQuotes").EnumerateArray()
            .Select(q => (q.GetProperty("quoteId").GetString()!, q.GetProperty("amendedVersion").ValueKind == JsonValueKind.Null ? 0 : q.GetProperty("amendedVersion").GetInt32())));

        // HubSpot's view of the add-on quote names the contract it amended (the views lag, ADR/0014).
        var quoteView = await Eventually(() => ContractCrmReportTests.JsonAsync(hs, "/crm/hubspot/quotes/Q-AQ-AM2"),
            q => q.ValueKind == JsonValueKind.Object && q.GetProperty("contract").ValueKind == JsonValueKind.Object
                 && q.GetProperty("contract").GetProperty("link").GetString() == "Amended", TimeSpan.FromSeconds(60));
        Assert.Equal(("ctr-Q-AQ", 3), (quoteView.GetProperty("contract").GetProperty("contractId").GetString(), quoteView.GetProperty("contract").GetProperty("version").GetInt32()));

        // The auditor's contract timeline holds the amendment quotes, their orders and the changes' billing, and verifies.
        var timeline = await (await _world.Auditor.GetAsync("/contracts/ctr-Q-AQ/timeline")).EnsureAccepted().Json();
        var streams = timeline.GetProperty("streams").EnumerateArray().Select(s => s.GetString()).ToList();
        foreach (var expected in new[] { "quote-Q-AQ-AM1", "order-ord-Q-AQ-AM1", "billing-ctr-Q-AQ-v2", "quote-Q-AQ-AM2", "order-ord-Q-AQ-AM2", "billing-ctr-Q-AQ-v3", "quote-Q-AQ-AM3" })
            Assert.Contains(expected, streams);
        Assert.Contains(timeline.GetProperty("entries").EnumerateArray(), e => e.GetProperty("type").GetString() == "contract-amended-by-quote.v1");
        var verified = await (await _world.Auditor.GetAsync("/quotes/Q-AQ/timeline/verify")).EnsureAccepted().Json();
        Assert.True(verified.GetProperty("intact").GetBoolean());
    }

    [Fact]
    public async Task A_JPY_amendment_quote_is_priced_billed_and_recorded_in_whole_yen()
    {
        var hs = _world.HubSpot;
        var draft = new
        {
            quoteId = "Q-AQ-JP", crmOpportunityId = "OPP-AQ-JP", crmAccountId = "ACC-ACME", customerId = "C-ACME", owner = "dana.whitfield", currency = "JPY",
            segment = "enterprise", region = "NA", legalEntity = "Ledger Demo KK", timeZone = "America/New_York", priceBookVersion = "2025.1",
            validFrom = "2026-01-01", validUntil = "2099-12-31",
        };
        await ContractTests.OrderWithinPolicyAsync(hs, draft, "2026.4-aq", ("L1", "SAAS-AQ", 3, 0));
        await Eventually(() => _world.StreamAsync("contract-ctr-Q-AQ-JP"), e => e.Count > 0, TimeSpan.FromSeconds(90));

        // Two more seats from April 1st: 246,914 yen a term for 276 of 365 days, rounded once to 186,708 yen.
        _clock.Reset(Instant.FromUtc(2026, 3, 20, 15, 0));
        (await Post(hs, "/contracts/ctr-Q-AQ-JP/amendment-quotes", new { expectedVersion = 1, effectiveDate = "2026-04-01" })).EnsureAccepted();
        (await Post(hs, "/quotes/Q-AQ-JP-AM1/lines/L1/change", new { quantity = 5, discountPercent = 0 })).EnsureAccepted();
        (await Post(hs, "/quotes/Q-AQ-JP-AM1/price", new { policyVersion = "P-2026.1" })).EnsureAccepted();
        Assert.Equal(186708m, Snapshot(await _world.StreamAsync("quote-Q-AQ-JP-AM1")).GetProperty("netTotal").GetDecimal());
        (await Post(hs, "/quotes/Q-AQ-JP-AM1/submit")).EnsureAccepted();
        await SendAcceptAndOrderAsync(hs, "Q-AQ-JP-AM1");

        var contract = await Eventually(() => _world.StreamAsync("contract-ctr-Q-AQ-JP"), e => e.Any(x => x.Type == "contract-change-billed.v1"), TimeSpan.FromSeconds(90));
        var amended = contract.Single(e => e.Type == "contract-amended-by-quote.v1").Data;
        Assert.Equal((186708m, "JPY"), (amended.GetProperty("proratedTotal").GetDecimal(), amended.GetProperty("currency").GetString()));
        Assert.Equal(186708m, contract.Single(e => e.Type == "contract-change-billed.v1").Data.GetProperty("billedAmount").GetDecimal());
        var after = await (await hs.GetAsync("/contracts/ctr-Q-AQ-JP")).EnsureAccepted().Json();
        Assert.Equal((2, 5m, 617285m), (after.GetProperty("version").GetInt32(), after.GetProperty("lines")[0].GetProperty("quantity").GetDecimal(),
            after.GetProperty("termNetTotal").GetDecimal()));
    }

    private static JsonElement Snapshot(IReadOnlyList<(string Type, JsonElement Data, Ledger.EventStore.RecordedEvent Event)> quote) =>
        quote.Last(e => e.Type == "quote-priced.v1").Data.GetProperty("snapshot");

    private static async Task SendAcceptAndOrderAsync(HttpClient crm, string quoteId)
    {
        (await Post(crm, $"/quotes/{quoteId}/send", new { documentHash = $"sha256:{quoteId}" })).EnsureAccepted();
        (await Post(crm, $"/quotes/{quoteId}/accept", new { revision = 1, acceptanceType = "signature", signer = "Dana Whitfield" })).EnsureAccepted();
        (await Post(crm, $"/quotes/{quoteId}/order", new { billingAccount = "BA-ACME-US" })).EnsureAccepted();
    }
}
