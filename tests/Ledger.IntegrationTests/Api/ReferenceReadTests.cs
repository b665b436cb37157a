using System.Net;
using System.Text.Json;
using Ledger.EventStore;
using Ledger.IntegrationTests.Journeys;
using Xunit;
using static Ledger.IntegrationTests.Journeys.LedgerWorld;

namespace Ledger.IntegrationTests.Api;

/// <summary>The reads of reference data and orders (issue 18), as the event store has them, with RFC 7807 404s; and the side-effect-free price preview.</summary>
public sealed class ReferenceReadTests : IAsyncLifetime
{
    private LedgerWorld _world = null!;

    public async Task InitializeAsync()
    {
        _world = await StartAsync(nameof(ReferenceReadTests));
        await _world.PublishCatalogAndPolicyAsync();
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task The_current_catalog_is_the_version_published_last_and_each_version_reads_as_published()
    {
        (await Post(_world.Admin, "/catalog/versions", new
        {
            version = "2026.2",
            offerings = new[] { new { productOfferingId = "PLAT-ENT", name = "Platform Enterprise", listPrices = new[] { new { currency = "EUR", amount = 1300.00m } } } },
        })).EnsureAccepted();

        var current = await (await _world.Salesforce.GetAsync("/catalog/versions/current")).EnsureAccepted().Json();
        Assert.Equal("2026.2", current.GetProperty("version").GetString());
        Assert.Equal(1300.00m, current.GetProperty("offerings")[0].GetProperty("listPrices")[0].GetProperty("amount").GetDecimal());
        var first = await (await _world.Approver.GetAsync("/catalog/versions/2026.1")).EnsureAccepted().Json();
        Assert.Equal(["PLAT-ENT", "SUPPORT-24"], first.GetProperty("offerings").EnumerateArray().Select(o => o.GetProperty("productOfferingId").GetString()));
        Assert.Equal(1200.00m, first.GetProperty("offerings")[0].GetProperty("listPrices")[0].GetProperty("amount").GetDecimal());

        await AssertNotFoundAsync(await _world.Salesforce.GetAsync("/catalog/versions/1999.9"), "catalog.version-unknown", "version");
    }

    [Fact]
    public async Task The_current_pricing_policy_is_the_one_published_last()
    {
        var first = await (await _world.Salesforce.GetAsync("/pricing-policies/current")).EnsureAccepted().Json();
        Assert.Equal(("P-2026.1", 10m), (first.GetProperty("version").GetString(), first.GetProperty("defaults").GetProperty("dealDeskAboveDiscountPercent").GetDecimal()));
        (await Post(_world.Admin, "/pricing-policies", new
        {
            version = "P-2026.2",
            defaults = new { dealDeskAboveDiscountPercent = 5m, vicePresidentAboveDiscountPercent = 20m, cfoAboveDiscountPercent = 30m, cfoAboveNetTotal = Array.Empty<object>() },
        })).EnsureAccepted();
        var second = await (await _world.Finance.GetAsync("/pricing-policies/current")).EnsureAccepted().Json();
        Assert.Equal(("P-2026.2", 5m), (second.GetProperty("version").GetString(), second.GetProperty("defaults").GetProperty("dealDeskAboveDiscountPercent").GetDecimal()));
    }

    [Fact]
    public async Task A_customer_reads_by_id_and_by_crm_account_and_a_crm_sees_only_its_own_accounts()
    {
        (await Post(_world.Admin, "/customers", new { customerId = "C-READ", name = "Read Corp", webDomain = "read.example" })).EnsureAccepted();
        (await Post(_world.Admin, "/customers/C-READ/accounts", new { crm = "salesforce", accountId = "ACC-SF-READ" })).EnsureAccepted();
        (await Post(_world.Admin, "/customers/C-READ/accounts", new { crm = "hubspot", accountId = "ACC-HS-READ" })).EnsureAccepted();

        var byAdmin = await (await _world.Admin.GetAsync("/customers/C-READ")).EnsureAccepted().Json();
        Assert.Equal(("Read Corp", "Active"), (byAdmin.GetProperty("name").GetString(), byAdmin.GetProperty("status").GetString()));
        Assert.Equal(2, byAdmin.GetProperty("accounts").GetArrayLength());
        var bySalesforce = await (await _world.Salesforce.GetAsync("/customers/C-READ")).EnsureAccepted().Json();
        Assert.Equal("ACC-SF-READ", Assert.Single(bySalesforce.GetProperty("accounts").EnumerateArray()).GetProperty("accountId").GetString());
        await AssertNotFoundAsync(await _world.Finance.GetAsync("/customers/C-NOBODY"), "customer.not-found", "customerId");

        var linked = await (await _world.Salesforce.GetAsync("/crm/salesforce/accounts/ACC-SF-READ/customer")).EnsureAccepted().Json();
        Assert.Equal("C-READ", linked.GetProperty("customerId").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await _world.HubSpot.GetAsync("/crm/salesforce/accounts/ACC-SF-READ/customer")).StatusCode);
        Assert.Equal("C-READ", (await (await _world.Finance.GetAsync("/crm/hubspot/accounts/ACC-HS-READ/customer")).EnsureAccepted().Json()).GetProperty("customerId").GetString());
        await AssertNotFoundAsync(await _world.Salesforce.GetAsync("/crm/salesforce/accounts/ACC-NONE/customer"), "crm-account.not-linked", "accountId");
    }

    [Fact]
    public async Task An_order_reads_by_id_for_its_own_crm_billing_and_finance_and_is_403_for_another_crm()
    {
        var sf = _world.Salesforce;
        (await Post(sf, "/quotes", QuoteToCashJourneyTests.Draft("Q-READ-ORDER", "EUR", "Europe/Berlin"))).EnsureAccepted();
        (await Post(sf, "/quotes/Q-READ-ORDER/lines", new { lineId = "L1", productOfferingId = "PLAT-ENT", catalogVersion = "2026.1", quantity = 2, discountPercent = 5 })).EnsureAccepted();
        (await Post(sf, "/quotes/Q-READ-ORDER/price")).EnsureAccepted();
        (await Post(sf, "/quotes/Q-READ-ORDER/submit")).EnsureAccepted(); // within policy: approved at once
        (await Post(sf, "/quotes/Q-READ-ORDER/send", new { documentHash = "sha256:read" })).EnsureAccepted();
        (await Post(sf, "/quotes/Q-READ-ORDER/accept", new { revision = 1, acceptanceType = "signature", signer = "Dana Whitfield" })).EnsureAccepted();
        (await Post(sf, "/quotes/Q-READ-ORDER/order", new { billingAccount = "BA-READ" })).EnsureAccepted();

        var order = await (await sf.GetAsync("/orders/ord-Q-READ-ORDER")).EnsureAccepted().Json();
        Assert.Equal(("BA-READ", 2280.00m), (order.GetProperty("billingAccount").GetString(), order.GetProperty("quote").GetProperty("netTotal").GetDecimal()));
        Assert.Contains(order.GetProperty("status").GetString(), new[] { "Placed", "Closed" });
        var closed = await Eventually(async () => (await (await _world.Billing.GetAsync("/orders/ord-Q-READ-ORDER")).Json()).GetProperty("status").GetString(), s => s == "Closed");
        Assert.Equal("Closed", closed);
        (await _world.Finance.GetAsync("/orders/ord-Q-READ-ORDER")).EnsureAccepted();
        Assert.Equal(HttpStatusCode.Forbidden, (await _world.HubSpot.GetAsync("/orders/ord-Q-READ-ORDER")).StatusCode);
        await AssertNotFoundAsync(await sf.GetAsync("/orders/ord-NONE"), "order.not-found", "orderId");
    }

    [Fact]
    public async Task A_price_preview_prices_like_a_quote_names_the_approval_levels_and_appends_nothing()
    {
        var before = await EventCountAsync();
        var preview = await (await Post(_world.Salesforce, "/pricing/preview", new
        {
            currency = "EUR", segment = "enterprise", region = "EMEA",
            lines = new object[]
            {
                new { lineId = "L1", productOfferingId = "PLAT-ENT", catalogVersion = "2026.1", quantity = 10, discountPercent = 25 },
                new { lineId = "L2", productOfferingId = "SUPPORT-24", catalogVersion = "2026.1", quantity = 10, discountPercent = 0 },
            },
        })).EnsureAccepted().Json();
        Assert.Equal(11400.00m, preview.GetProperty("netTotal").GetDecimal()); // 12,000 − 25% + 2,400, as the journey's quote is priced
        Assert.Equal(3000.00m, preview.GetProperty("discountTotal").GetDecimal());
        Assert.Equal("P-2026.1", preview.GetProperty("policyVersion").GetString());
        Assert.Equal(["DealDesk", "VicePresident"], preview.GetProperty("requiredLevels").EnumerateArray().Select(l => l.GetString()));
        Assert.True(preview.GetProperty("approvalNeeded").GetBoolean());

        var within = await (await Post(_world.Approver, "/pricing/preview", new
        {
            currency = "EUR", segment = "enterprise", region = "EMEA",
            lines = new[] { new { lineId = "L1", productOfferingId = "PLAT-ENT", catalogVersion = "2026.1", quantity = 1, discountPercent = 5 } },
        })).EnsureAccepted().Json();
        Assert.Empty(within.GetProperty("requiredLevels").EnumerateArray());
        Assert.False(within.GetProperty("approvalNeeded").GetBoolean());
        Assert.Equal(before, await EventCountAsync());
    }

    [Theory]
    [InlineData("""{"currency":"EUR","segment":"enterprise","region":"EMEA","lines":[{"lineId":"L1","productOfferingId":"NOPE","catalogVersion":"2026.1","quantity":1,"discountPercent":0}]}""", 404, "catalog.offering-unknown", "lines[0].productOfferingId")]
    [InlineData("""{"currency":"EUR","segment":"enterprise","region":"EMEA","lines":[{"lineId":"L1","productOfferingId":"PLAT-ENT","catalogVersion":"2026.1","quantity":1,"discountPercent":0},{"lineId":"L2","productOfferingId":"PLAT-ENT","catalogVersion":"2026.1","quantity":0,"discountPercent":0}]}""", 400, null, "lines[1].quantity")]
    [InlineData("""{"currency":"XXZ","segment":"enterprise","region":"EMEA","lines":[]}""", 400, "money.unknown-currency", "currency")]
    [InlineData("""{"currency":"EUR","segment":"enterprise","region":"EMEA","lines":[]}""", 422, "quote.no-lines", null)]
    [InlineData("""{"currency":"EUR","segment":"enterprise","region":"EMEA","policyVersion":"P-NONE","lines":[{"lineId":"L1","productOfferingId":"PLAT-ENT","catalogVersion":"2026.1","quantity":1,"discountPercent":0}]}""", 404, "policy.unknown", "policyVersion")]
    [InlineData("""{"currency":"EUR","segment":"enterprise","region":"EMEA","lines":[null]}""", 400, "preview.invalid", "lines[0]")]
    [InlineData("""{"currency":"EUR","segment":"enterprise","region":"EMEA","lines":[{"lineId":"L1","productOfferingId":"PLAT-ENT","catalogVersion":"2026.1","quantity":79228162514264337593543950335,"discountPercent":0}]}""", 400, "quote.amount-too-large", "lines")]
    public async Task A_preview_the_quote_decider_would_refuse_is_refused_with_its_code_and_field(string body, int status, string? code, string? field)
    {
        var before = await EventCountAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/pricing/preview") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        var response = await _world.Salesforce.SendAsync(request);
        Assert.Equal(status, (int)response.StatusCode);
        var problem = await response.Json();
        if (code is not null) Assert.Equal(code, problem.GetProperty("code").GetString());
        if (field is not null) Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.DoesNotContain("Ledger.", problem.ToString());
        Assert.Equal(before, await EventCountAsync());
    }

    private static async Task AssertNotFoundAsync(HttpResponseMessage response, string code, string field)
    {
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Json();
        Assert.Equal((code, field), (problem.GetProperty("code").GetString(), problem.GetProperty("field").GetString()));
    }

    private async Task<int> EventCountAsync()
    {
        var count = 0;
        await foreach (var _ in _world.EventStore.ReadAllAsync(GlobalPosition.Start, int.MaxValue)) count++;
        return count;
    }
}
