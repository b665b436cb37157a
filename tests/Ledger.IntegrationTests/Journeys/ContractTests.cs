using System.Net;
using System.Text.Json;
using NodaTime;
using NodaTime.Text;
using Xunit;
using static Ledger.IntegrationTests.Journeys.LedgerWorld;

namespace Ledger.IntegrationTests.Journeys;

/// <summary>
/// Contracts over real HTTP, PostgreSQL and the billing simulator (ADR/0021): a subscription quote billed through the
/// simulator starts its contract; an amendment is prorated and accepted, the same amendment on the old version refused.
/// </summary>
public sealed class ContractTests : IAsyncLifetime
{
    private LedgerWorld _world = null!;

    public async Task InitializeAsync()
    {
        _world = await StartAsync(nameof(ContractTests));
        await PublishSubscriptionCatalogAsync(_world);
    }

    /// <summary>Catalog 2026.1 and policy P-2026.1, and catalog 2026.2-subs: annual analytics seats (1,200 USD) and a one-off onboarding.</summary>
    internal static async Task PublishSubscriptionCatalogAsync(LedgerWorld world)
    {
        await world.PublishCatalogAndPolicyAsync();
        (await Post(world.Admin, "/catalog/versions", new
        {
            version = "2026.2-subs",
            offerings = new object[]
            {
                new { productOfferingId = "SAAS-SEATS", name = "Analytics seats (annual)", listPrices = new[] { new { currency = "USD", amount = 1200.00m } },
                    subscription = new { termMonths = 12, evergreen = false } },
                new { productOfferingId = "ONBOARDING", name = "Onboarding (one-off)", listPrices = new[] { new { currency = "USD", amount = 5000.00m } } },
            },
        })).EnsureAccepted();
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task Billed_subscription_quote_starts_a_contract_an_amendment_is_prorated_and_a_stale_one_refused()
    {
        var hs = _world.HubSpot;
        await OrderWithinPolicyAsync(hs, QuoteToCashJourneys.Draft("Q-SUB-1", "USD", "America/New_York"), "2026.2-subs", ("L1", "SAAS-SEATS", 10, 5), ("L2", "ONBOARDING", 1, 0));

        // The simulator acknowledges the order, the order closes, and the contract starts: all reactions, so wait for them.
        var contractEvents = await Eventually(() => _world.StreamAsync("contract-ctr-Q-SUB-1"), e => e.Count > 0, TimeSpan.FromSeconds(90));
        var started = Assert.Single(contractEvents);
        Assert.Equal("contract-started.v1", started.Type);
        var closed = (await _world.StreamAsync("order-ord-Q-SUB-1")).Single(e => e.Type == "order-closed.v1");
        // Started on the day billing acknowledged the order, in the quote's zone; caused by the ledger, not by the CRM.
        var billedOn = InstantPattern.ExtendedIso.Parse(closed.Data.GetProperty("closedAt").GetString()!).Value
            .InZone(DateTimeZoneProviders.Tzdb["America/New_York"]).Date;
        var startDate = Date(started.Data, "startDate");
        var endDate = Date(started.Data, "endDate");
        Assert.Equal(billedOn, startDate);
        Assert.Equal(startDate.PlusYears(1).PlusDays(-1), endDate);
        Assert.Equal("ledger", started.Event.Metadata.Actor);

        var view = await (await hs.GetAsync("/contracts/ctr-Q-SUB-1")).EnsureAccepted().Json();
        Assert.Equal("Active", view.GetProperty("status").GetString());
        Assert.Equal(1, view.GetProperty("version").GetInt32());
        var line = Assert.Single(view.GetProperty("lines").EnumerateArray()); // the one-off onboarding is not part of the contract
        Assert.Equal("L1", line.GetProperty("lineId").GetString());
        Assert.Equal(11400.00m, view.GetProperty("termNetTotal").GetDecimal()); // 10 × 1,200 − 5%
        Assert.Equal(HttpStatusCode.Forbidden, (await _world.Salesforce.GetAsync("/contracts/ctr-Q-SUB-1")).StatusCode);

        // Five more seats from 30 days after the start, co-termed to the end: 5 × 1,200 − 5% = 5,700 for a whole term.
        var effective = startDate.PlusDays(30);
        var amendment = new { expectedVersion = 1, effectiveDate = effective.ToString("yyyy-MM-dd", null), lines = new[] { new { lineId = "L1", quantity = 15 } } };
        var amended = await (await Post(hs, "/contracts/ctr-Q-SUB-1/amendments", amendment)).EnsureAccepted().Json();
        Assert.Equal(["contract-amended.v1"], amended.GetProperty("events").EnumerateArray().Select(e => e.GetString()));

        var daysInTerm = Period.Between(startDate, endDate, PeriodUnits.Days).Days + 1;
        var daysRemaining = Period.Between(effective, endDate, PeriodUnits.Days).Days + 1;
        var expected = Math.Round(5700.00m * daysRemaining / daysInTerm, 2, MidpointRounding.AwayFromZero);
        var recorded = (await TermsAsync())[1].Data;
        Assert.Equal((daysRemaining, daysInTerm), (recorded.GetProperty("daysRemaining").GetInt32(), recorded.GetProperty("daysInTerm").GetInt32()));
        Assert.Equal(expected, recorded.GetProperty("proratedTotal").GetDecimal());

        // The same amendment written against version 1 again: stale, refused with the field, nothing appended.
        var stale = await Post(hs, "/contracts/ctr-Q-SUB-1/amendments", amendment);
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        var problem = await stale.Json();
        Assert.Equal(("contract.stale-version", "expectedVersion"), (problem.GetProperty("code").GetString(), problem.GetProperty("field").GetString()));
        var missing = await Post(hs, "/contracts/ctr-Q-SUB-1/amendments", new { effectiveDate = "2099-01-01", lines = Array.Empty<object>() });
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal("expectedVersion", (await missing.Json()).GetProperty("field").GetString());
        var noQuantity = await Post(hs, "/contracts/ctr-Q-SUB-1/amendments", new { expectedVersion = 2, effectiveDate = "2099-01-01", lines = new object?[] { new { lineId = "L1" }, null } });
        Assert.Equal(HttpStatusCode.BadRequest, noQuantity.StatusCode);
        Assert.Equal("lines[0].quantity", (await noQuantity.Json()).GetProperty("field").GetString());
        var badDate = await Post(hs, "/contracts/ctr-Q-SUB-1/amendments", new { expectedVersion = 2, effectiveDate = "2026-02-30", lines = new[] { new { lineId = "L1", quantity = 3 } } });
        Assert.Equal(HttpStatusCode.BadRequest, badDate.StatusCode);
        var badDateBody = await badDate.Content.ReadAsStringAsync();
        Assert.DoesNotContain("System.", badDateBody);
        Assert.DoesNotContain("NodaTime.", badDateBody);
        var otherCrm = await Post(_world.Salesforce, "/contracts/ctr-Q-SUB-1/amendments", amendment with { expectedVersion = 2 });
        Assert.Equal(HttpStatusCode.Forbidden, otherCrm.StatusCode); // a HubSpot contract is not Salesforce's to amend (ADR/0011)
        Assert.Equal(2, (await TermsAsync()).Count);

        var after = await (await hs.GetAsync("/contracts/ctr-Q-SUB-1")).EnsureAccepted().Json();
        Assert.Equal(2, after.GetProperty("version").GetInt32());
        Assert.Equal(15m, after.GetProperty("lines")[0].GetProperty("quantity").GetDecimal());
        Assert.Equal(17100.00m, after.GetProperty("termNetTotal").GetDecimal());
        Assert.Equal(endDate.ToString("yyyy-MM-dd", null), after.GetProperty("endDate").GetString());

        // Cancelled from the same day: the customer is owed the rest of the term of 15 seats (17,100 a term), prorated alike.
        (await Post(hs, "/contracts/ctr-Q-SUB-1/cancel", new { expectedVersion = 2, effectiveDate = amendment.effectiveDate, reason = "Moved to another vendor" }))
            .EnsureAccepted();
        var cancelled = (await TermsAsync())[2];
        Assert.Equal("contract-cancelled.v1", cancelled.Type);
        Assert.Equal(Math.Round(17100.00m * daysRemaining / daysInTerm, 2, MidpointRounding.AwayFromZero), cancelled.Data.GetProperty("creditTotal").GetDecimal());
        Assert.Equal("Cancelled", (await (await hs.GetAsync("/contracts/ctr-Q-SUB-1")).Json()).GetProperty("status").GetString());

        // The auditor's timeline of the quote follows it into its contract, and the contract's hash chain verifies.
        var timeline = await (await _world.Auditor.GetAsync("/quotes/Q-SUB-1/timeline")).EnsureAccepted().Json();
        Assert.Contains("contract-ctr-Q-SUB-1", timeline.GetProperty("streams").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(["contract-started.v1", "contract-amended.v1", "contract-cancelled.v1"], timeline.GetProperty("entries").EnumerateArray()
            .Where(e => e.GetProperty("streamId").GetString() == "contract-ctr-Q-SUB-1").Select(e => e.GetProperty("type").GetString())
            .Where(t => t != "contract-change-billed.v1"));
        var verified = await (await _world.Auditor.GetAsync("/quotes/Q-SUB-1/timeline/verify")).EnsureAccepted().Json();
        Assert.True(verified.GetProperty("intact").GetBoolean());
        Assert.Contains("contract-ctr-Q-SUB-1", verified.GetProperty("streams").GetRawText());
    }

    /// <summary>HubSpot's draft of a USD quote for ACME in New York, valid from <paramref name="validFrom"/> (the fake clocks' tests date theirs).</summary>
    internal static object AcmeDraft(string quoteId, string validFrom) => new
    {
        quoteId, crmOpportunityId = $"OPP-{quoteId[2..]}", crmAccountId = "ACC-ACME", customerId = "C-ACME", owner = "dana.whitfield", currency = "USD",
        segment = "enterprise", region = "NA", legalEntity = "Ledger Demo Inc", timeZone = "America/New_York", priceBookVersion = "2025.1",
        validFrom, validUntil = "2099-12-31",
    };

    /// <summary>A quote within policy (approved on submit) drafted, priced, sent, accepted and ordered by its CRM; billing follows by itself.</summary>
    internal static async Task OrderWithinPolicyAsync(HttpClient crm, object draft, string catalogVersion,
        params (string LineId, string Offering, int Quantity, decimal DiscountPercent)[] lines)
    {
        var quoteId = (string)draft.GetType().GetProperty("quoteId")!.GetValue(draft)!;
        (await Post(crm, "/quotes", draft)).EnsureAccepted();
        foreach (var (lineId, offering, quantity, discount) in lines)
            (await Post(crm, $"/quotes/{quoteId}/lines", new { lineId, productOfferingId = offering, catalogVersion, quantity, discountPercent = discount })).EnsureAccepted();
        (await Post(crm, $"/quotes/{quoteId}/price", new { policyVersion = "P-2026.1" })).EnsureAccepted();
        (await Post(crm, $"/quotes/{quoteId}/submit")).EnsureAccepted();
        (await Post(crm, $"/quotes/{quoteId}/send", new { documentHash = $"sha256:{quoteId}" })).EnsureAccepted();
        (await Post(crm, $"/quotes/{quoteId}/accept", new { revision = 1, acceptanceType = "signature", signer = "Dana Whitfield" })).EnsureAccepted();
        (await Post(crm, $"/quotes/{quoteId}/order", new { billingAccount = "BA-ACME-US" })).EnsureAccepted();
    }

    /// <summary>The contract's changes of terms, without billing's notes, which arrive by reaction whenever billing answers (ADR/0021).</summary>
    private async Task<List<(string Type, JsonElement Data, Ledger.EventStore.RecordedEvent Event)>> TermsAsync() =>
        (await _world.StreamAsync("contract-ctr-Q-SUB-1")).Where(e => e.Type != "contract-change-billed.v1").ToList();

    private static LocalDate Date(JsonElement data, string name) => LocalDatePattern.Iso.Parse(data.GetProperty(name).GetString()!).Value;
}
