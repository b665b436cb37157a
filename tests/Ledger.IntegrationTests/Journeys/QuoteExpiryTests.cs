using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;
using Xunit;
using static Ledger.IntegrationTests.Journeys.LedgerWorld;

namespace Ledger.IntegrationTests.Journeys;

/// <summary>Expiry is scheduled work: a durable message due when validity ends, judged by the ledger's (here: fake) clock.</summary>
public sealed class QuoteExpiryTests : IAsyncLifetime
{
    // Valid through 31 March in Berlin: it ends at 22:00 UTC (CEST).
    private readonly FakeClock _clock = new(Instant.FromUtc(2026, 3, 31, 10, 0));
    private LedgerWorld _world = null!;

    public async Task InitializeAsync()
    {
        _world = await StartAsync(nameof(QuoteExpiryTests), services: s => s.AddSingleton<IClock>(_clock));
        await _world.PublishCatalogAndPolicyAsync();
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task A_sent_quote_expires_by_itself_once_the_clock_passes_the_end_of_its_last_valid_day_in_its_zone()
    {
        var sf = await DraftAndSendAsync("Q-EXP");

        // The message is due (its time has passed in real time) but the ledger's clock says the quote is still valid.
        await Task.Delay(2500);
        Assert.DoesNotContain(await _world.StreamAsync("quote-Q-EXP"), e => e.Type == "quote-expired.v1");

        _clock.Reset(Instant.FromUtc(2026, 3, 31, 22, 0, 1));
        var events = await Eventually(() => _world.StreamAsync("quote-Q-EXP"), e => e.Any(x => x.Type == "quote-expired.v1"));
        Assert.Equal("quote-expired.v1", events[^1].Type);
        Assert.Single(events, e => e.Type == "quote-expired.v1");

        var accept = await Post(sf, "/quotes/Q-EXP/accept", new { revision = 1, acceptanceType = "signature", signer = "Dana Whitfield" });
        Assert.Equal(System.Net.HttpStatusCode.Conflict, accept.StatusCode);
    }

    [Fact]
    public async Task A_sales_rep_extends_a_sent_quote_over_http_and_it_expires_after_the_new_day_not_the_old()
    {
        var sf = await DraftAndSendAsync("Q-EXT");

        // An earlier day is not an extension: 400 with the field and the rule, nothing recorded.
        var shortened = await Post(sf, "/quotes/Q-EXT/extend-validity", new { validUntil = "2026-03-20", reason = "Shorter" });
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, shortened.StatusCode);
        var problem = await shortened.Json();
        Assert.Equal("quote.validity-shortened", problem.GetProperty("code").GetString());
        Assert.Contains("validUntil", problem.GetRawText());
        Assert.DoesNotContain(await _world.StreamAsync("quote-Q-EXT"), e => e.Type == "quote-validity-extended.v1");

        (await Post(sf, "/quotes/Q-EXT/extend-validity", new { validUntil = "2026-04-15", reason = "Customer board meets on April 10th" })).EnsureAccepted();
        var extended = Assert.Single(await _world.StreamAsync("quote-Q-EXT"), e => e.Type == "quote-validity-extended.v1");
        Assert.Equal("2026-04-15", extended.Data.GetProperty("validUntil").GetString());

        // Past the old day's end (22:00 UTC on 31 March): the look scheduled by the draft finds the quote valid to 15 April.
        _clock.Reset(Instant.FromUtc(2026, 4, 1, 8, 0));
        await Task.Delay(2500);
        Assert.DoesNotContain(await _world.StreamAsync("quote-Q-EXT"), e => e.Type == "quote-expired.v1");

        // Past the new day's end in Berlin (22:00 UTC on 15 April): the look the extension scheduled expires it.
        _clock.Reset(Instant.FromUtc(2026, 4, 15, 22, 0, 1));
        var events = await Eventually(() => _world.StreamAsync("quote-Q-EXT"), e => e.Any(x => x.Type == "quote-expired.v1"));
        var expired = Assert.Single(events, e => e.Type == "quote-expired.v1");
        Assert.Equal("2026-04-15", expired.Data.GetProperty("validUntil").GetString());
    }

    /// <summary>A one-line quote valid through 31 March in Berlin, drafted, priced, approved within policy and sent by Salesforce.</summary>
    private async Task<HttpClient> DraftAndSendAsync(string quoteId)
    {
        var draft = new Dictionary<string, object?>
        {
            ["quoteId"] = quoteId, ["crmOpportunityId"] = $"OPP-{quoteId}", ["crmAccountId"] = "ACC-ACME", ["customerId"] = "C-ACME", ["owner"] = "dana.whitfield",
            ["currency"] = "EUR", ["segment"] = "enterprise", ["region"] = "EMEA", ["legalEntity"] = "Ledger Demo GmbH", ["timeZone"] = "Europe/Berlin",
            ["priceBookVersion"] = "2026.1", ["validFrom"] = "2026-03-01", ["validUntil"] = "2026-03-31",
        };
        var sf = _world.Salesforce;
        (await Post(sf, "/quotes", draft)).EnsureAccepted();
        (await Post(sf, $"/quotes/{quoteId}/lines", new { lineId = "L1", productOfferingId = "SUPPORT-24", catalogVersion = "2026.1", quantity = 1, discountPercent = 0 })).EnsureAccepted();
        (await Post(sf, $"/quotes/{quoteId}/price", new { })).EnsureAccepted();
        (await Post(sf, $"/quotes/{quoteId}/submit")).EnsureAccepted();
        (await Post(sf, $"/quotes/{quoteId}/send", new { documentHash = "sha256:doc" })).EnsureAccepted();
        return sf;
    }
}
