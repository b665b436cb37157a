using System.Net;
using Ledger.IntegrationTests.Journeys;
using Xunit;
using static Ledger.IntegrationTests.Journeys.LedgerWorld;

namespace Ledger.IntegrationTests.Crm;

/// <summary>The pull feed <c>GET /crm/{crm}/changes</c> (ADR/0020): pages in log order with the next position, one CRM's changes only.</summary>
public sealed class CrmChangeFeedTests : IAsyncLifetime
{
    private LedgerWorld _world = null!;

    public async Task InitializeAsync()
    {
        _world = await StartAsync(nameof(CrmChangeFeedTests));
        await _world.PublishCatalogAndPolicyAsync();
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task Pages_of_three_add_up_to_the_whole_feed_in_log_order_and_the_feed_holds_only_the_callers_crm()
    {
        foreach (var quote in new[] { "Q-FEED-1", "Q-FEED-2" })
        {
            (await Post(_world.Salesforce, "/quotes", QuoteToCashJourneyTests.Draft(quote, "EUR", "Europe/Berlin"))).EnsureAccepted();
            (await Post(_world.Salesforce, $"/quotes/{quote}/lines", new { lineId = "L1", productOfferingId = "PLAT-ENT", catalogVersion = "2026.1", quantity = 1, discountPercent = 0 })).EnsureAccepted();
            (await Post(_world.Salesforce, $"/quotes/{quote}/price")).EnsureAccepted();
        }
        (await Post(_world.HubSpot, "/quotes", QuoteToCashJourneyTests.Draft("Q-FEED-HS", "EUR", "Europe/Berlin"))).EnsureAccepted();

        var whole = await Eventually(() => CrmWebhookTests.FeedAsync(_world.Salesforce, "salesforce"), f => f.Count == 6);
        Assert.Equal(6, whole.Count);
        var paged = await CrmWebhookTests.FeedAsync(_world.Salesforce, "salesforce", limit: 3);
        Assert.Equal(whole.Select(c => c.GetProperty("changeId").GetGuid()), paged.Select(c => c.GetProperty("changeId").GetGuid()));
        var positions = whole.Select(c => c.GetProperty("position").GetInt64()).ToList();
        Assert.Equal(positions.Order(), positions);
        Assert.All(whole, c => Assert.Equal("salesforce", c.GetProperty("crm").GetString()));
        Assert.Equal(["quote-drafted.v1", "quote-line-added.v1", "quote-priced.v1"],
            whole.Where(c => c.GetProperty("quoteId").GetString() == "Q-FEED-2").Select(c => c.GetProperty("type").GetString()));

        // A page names the position to ask after next; after the last change, an empty page names the same position.
        var first = await (await _world.Salesforce.GetAsync("/crm/salesforce/changes?limit=2")).EnsureAccepted().Json();
        Assert.Equal(positions[1], first.GetProperty("next").GetInt64());
        var end = await (await _world.Salesforce.GetAsync($"/crm/salesforce/changes?after={positions[^1]}")).EnsureAccepted().Json();
        Assert.Empty(end.GetProperty("changes").EnumerateArray());
        Assert.Equal(positions[^1], end.GetProperty("next").GetInt64());

        // Another CRM's key cannot read this feed, and its own holds only its own quote.
        var other = await _world.HubSpot.GetAsync("/crm/salesforce/changes");
        Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
        Assert.Equal("auth.other-crm", (await other.Json()).GetProperty("code").GetString());
        var hubspot = await Eventually(() => CrmWebhookTests.FeedAsync(_world.HubSpot, "hubspot"), f => f.Count == 1);
        Assert.Equal("Q-FEED-HS", Assert.Single(hubspot).GetProperty("quoteId").GetString());
        // The administrator reads any CRM's feed; finance, approvers, auditors and billing none.
        Assert.Equal(6, (await CrmWebhookTests.FeedAsync(_world.Admin, "salesforce")).Count);
        Assert.Equal(HttpStatusCode.Forbidden, (await _world.Finance.GetAsync("/crm/salesforce/changes")).StatusCode);
    }

    [Theory]
    [InlineData("after=-1", "after")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=501", "limit")]
    [InlineData("after=abc", "after")]
    public async Task A_bad_position_or_limit_is_a_400_problem_naming_the_field(string query, string field)
    {
        var response = await _world.Salesforce.GetAsync($"/crm/salesforce/changes?{query}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(field, (await response.Json()).GetProperty("field").GetString());
    }
}
