using System.Net;
using System.Text.Json;
using Ledger.IntegrationTests.Journeys;
using Xunit;
using static Ledger.IntegrationTests.Journeys.LedgerWorld;

namespace Ledger.IntegrationTests.Api;

/// <summary>
/// The identity gate over HTTP (issue 18, seed 000 failure mode 4, ADR/0023): a draft names a CRM account linked to a
/// registered canonical customer; one live quote per CRM opportunity unless the draft supersedes it; after a merge the
/// quote views and the revenue summary follow the surviving customer. Every refusal is a problem that appends nothing.
/// </summary>
public sealed class IdentityGateTests : IAsyncLifetime
{
    private LedgerWorld _world = null!;

    public async Task InitializeAsync()
    {
        _world = await StartAsync(nameof(IdentityGateTests));
        await _world.PublishCatalogAndPolicyAsync();
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task A_draft_for_an_account_linked_to_no_customer_or_naming_another_customer_is_refused_and_appends_nothing()
    {
        var unlinked = Draft("Q-GATE-1", account: "ACC-NOBODY");
        await AssertRefusedAsync(await Post(_world.Salesforce, "/quotes", unlinked), HttpStatusCode.UnprocessableEntity, "quote.account-not-linked", "crmAccountId");

        // The account is linked in HubSpot only: in Salesforce it is another CRM's account of the same id.
        (await Post(_world.Admin, "/customers", new { customerId = "C-GLOBEX", name = "Globex" })).EnsureAccepted();
        (await Post(_world.Admin, "/customers/C-GLOBEX/accounts", new { crm = "hubspot", accountId = "ACC-GLOBEX" })).EnsureAccepted();
        await AssertRefusedAsync(await Post(_world.Salesforce, "/quotes", Draft("Q-GATE-2", account: "ACC-GLOBEX", customer: "C-GLOBEX")),
            HttpStatusCode.UnprocessableEntity, "quote.account-not-linked", "crmAccountId");

        // The account is the reference customer's; the draft names Globex.
        await AssertRefusedAsync(await Post(_world.Salesforce, "/quotes", Draft("Q-GATE-3", customer: "C-GLOBEX")),
            HttpStatusCode.UnprocessableEntity, "quote.customer-not-the-accounts", "customerId");

        foreach (var quote in new[] { "Q-GATE-1", "Q-GATE-2", "Q-GATE-3" }) Assert.Empty(await _world.StreamAsync($"quote-{quote}"));
        Assert.Empty(await _world.StreamAsync("crm-opportunity-salesforce-OPP-Q-GATE-1"));

        // Linked, and naming the account's customer: drafted.
        (await Post(_world.HubSpot, "/quotes", Draft("Q-GATE-4", account: "ACC-GLOBEX", customer: "C-GLOBEX"))).EnsureAccepted();
        Assert.Equal("C-GLOBEX", (await _world.StreamAsync("quote-Q-GATE-4"))[0].Data.GetProperty("customerId").GetString());
    }

    [Fact]
    public async Task An_opportunity_has_one_live_quote_until_a_draft_supersedes_it_which_withdraws_the_old_one()
    {
        (await Post(_world.Salesforce, "/quotes", Draft("Q-OPP-1", opportunity: "OPP-SHARED"))).EnsureAccepted();

        await AssertRefusedAsync(await Post(_world.Salesforce, "/quotes", Draft("Q-OPP-2", opportunity: "OPP-SHARED")),
            HttpStatusCode.Conflict, "opportunity.live-quote-exists", "crmOpportunityId");
        Assert.Empty(await _world.StreamAsync("quote-Q-OPP-2"));
        // The same opportunity id in another CRM is another deal.
        (await Post(_world.HubSpot, "/quotes", Draft("Q-OPP-HS", opportunity: "OPP-SHARED"))).EnsureAccepted();

        await AssertRefusedAsync(await Post(_world.Salesforce, "/quotes", Draft("Q-OPP-2", opportunity: "OPP-SHARED", supersedes: "Q-OPP-HS")),
            HttpStatusCode.Conflict, "opportunity.superseded-quote-not-live", "supersedesQuoteId");
        Assert.Empty(await _world.StreamAsync("quote-Q-OPP-2"));
        Assert.Equal("Draft", await StatusAsync("Q-OPP-1"));

        (await Post(_world.Salesforce, "/quotes", Draft("Q-OPP-2", opportunity: "OPP-SHARED", supersedes: "Q-OPP-1"))).EnsureAccepted();
        Assert.Equal("Withdrawn", await StatusAsync("Q-OPP-1"));
        var withdrawn = (await _world.StreamAsync("quote-Q-OPP-1"))[^1];
        Assert.Equal(("quote-withdrawn.v1", "Superseded by quote Q-OPP-2."), (withdrawn.Type, withdrawn.Data.GetProperty("reason").GetString()));
        Assert.Equal(["crm-opportunity-quote-opened.v1", "crm-opportunity-quote-opened.v1"],
            (await _world.StreamAsync("crm-opportunity-salesforce-OPP-SHARED")).Select(e => e.Type));

        // Withdrawn by its CRM, the live quote leaves room for a new one without superseding.
        (await Post(_world.Salesforce, "/quotes/Q-OPP-2/withdraw", new { reason = "deal re-scoped" })).EnsureAccepted();
        (await Post(_world.Salesforce, "/quotes", Draft("Q-OPP-3", opportunity: "OPP-SHARED"))).EnsureAccepted();
    }

    [Fact]
    public async Task After_a_merge_the_quote_view_and_the_revenue_summary_follow_the_surviving_customer()
    {
        (await Post(_world.Admin, "/customers", new { customerId = "C-INITECH-DUP", name = "Initech (imported)" })).EnsureAccepted();
        (await Post(_world.Admin, "/customers", new { customerId = "C-INITECH", name = "Initech" })).EnsureAccepted();
        (await Post(_world.Admin, "/customers/C-INITECH-DUP/accounts", new { crm = "salesforce", accountId = "ACC-INITECH" })).EnsureAccepted();

        var sf = _world.Salesforce;
        (await Post(sf, "/quotes", Draft("Q-MERGE-1", account: "ACC-INITECH", customer: "C-INITECH-DUP"))).EnsureAccepted();
        (await Post(sf, "/quotes/Q-MERGE-1/lines", new { lineId = "L1", productOfferingId = "PLAT-ENT", catalogVersion = "2026.1", quantity = 2, discountPercent = 5 })).EnsureAccepted();
        (await Post(sf, "/quotes/Q-MERGE-1/price", new { })).EnsureAccepted();
        (await Post(sf, "/quotes/Q-MERGE-1/submit")).EnsureAccepted(); // within policy: approved on submit
        (await Post(sf, "/quotes/Q-MERGE-1/send", new { documentHash = "sha256:initech" })).EnsureAccepted();
        (await Post(sf, "/quotes/Q-MERGE-1/accept", new { revision = 1, acceptanceType = "signature", signer = "Bill Lumbergh" })).EnsureAccepted();
        const decimal accepted = 2 * 1200.00m * 0.95m;
        var before = await Eventually(() => AcceptedRevenueAsync("C-INITECH-DUP"), total => total == accepted);
        Assert.True(before == accepted, $"{before}: {await (await _world.Finance.GetAsync("/revenue/summary")).Content.ReadAsStringAsync()} {(await ViewAsync("Q-MERGE-1")).GetRawText()}");
        Assert.Equal(0m, await AcceptedRevenueAsync("C-INITECH"));

        (await Post(_world.Admin, "/customers/C-INITECH-DUP/merge", new { intoCustomerId = "C-INITECH" })).EnsureAccepted();

        var view = await Eventually(() => ViewAsync("Q-MERGE-1"), v => v.GetProperty("customerId").GetString() == "C-INITECH");
        Assert.Equal(("C-INITECH", "C-INITECH-DUP"), (view.GetProperty("customerId").GetString(), view.GetProperty("draftedForCustomerId").GetString()));
        // The revenue summary reads reconciliation's model, another projection than the CRM's view waited for above.
        Assert.Equal(accepted, await Eventually(() => AcceptedRevenueAsync("C-INITECH"), total => total == accepted));
        Assert.Equal(0m, await AcceptedRevenueAsync("C-INITECH-DUP"));
        // The drafted fact is never rewritten: the quote stream still says whom it was drafted for.
        Assert.Equal("C-INITECH-DUP", (await _world.StreamAsync("quote-Q-MERGE-1"))[0].Data.GetProperty("customerId").GetString());

        // The account now leads to the survivor: a new draft names it, and the merged-away id is refused.
        await AssertRefusedAsync(await Post(sf, "/quotes", Draft("Q-MERGE-2", account: "ACC-INITECH", customer: "C-INITECH-DUP")),
            HttpStatusCode.UnprocessableEntity, "quote.customer-not-the-accounts", "customerId");
        (await Post(sf, "/quotes", Draft("Q-MERGE-2", account: "ACC-INITECH", customer: "C-INITECH"))).EnsureAccepted();
    }

    private static object Draft(string quoteId, string account = ReferenceAccount, string customer = ReferenceCustomer, string? opportunity = null,
        string? supersedes = null) => new
    {
        quoteId, crmOpportunityId = opportunity ?? $"OPP-{quoteId}", crmAccountId = account, customerId = customer, owner = "dana.whitfield",
        currency = "EUR", segment = "enterprise", region = "EMEA", legalEntity = "Ledger Demo GmbH", timeZone = "Europe/Berlin", priceBookVersion = "2026.1",
        validFrom = "2026-01-01", validUntil = "2099-12-31", supersedesQuoteId = supersedes,
    };

    private async Task<string?> StatusAsync(string quoteId) =>
        (await (await _world.Salesforce.GetAsync($"/quotes/{quoteId}")).EnsureAccepted().Json()).GetProperty("status").GetString();

    private async Task<JsonElement> ViewAsync(string quoteId)
    {
        var response = await _world.Finance.GetAsync($"/crm/salesforce/quotes/{quoteId}");
        return response.IsSuccessStatusCode ? await response.Json() : JsonDocument.Parse("""{"customerId":null}""").RootElement;
    }

    private async Task<decimal> AcceptedRevenueAsync(string customerId) =>
        (await (await _world.Finance.GetAsync($"/revenue/summary?customer={customerId}")).EnsureAccepted().Json())
        .EnumerateArray().Sum(line => line.GetProperty("accepted").GetDecimal());

    private static async Task AssertRefusedAsync(HttpResponseMessage response, HttpStatusCode status, string code, string field)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal((code, field), (problem.GetProperty("code").GetString(), problem.GetProperty("field").GetString()));
    }
}
