using System.Net;
using System.Text.Json;
using Ledger.EventStore.Verification;
using Ledger.IntegrationTests.Journeys;
using Ledger.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit;
using static Ledger.IntegrationTests.Journeys.LedgerWorld;

namespace Ledger.IntegrationTests.Timelines;

/// <summary>
/// A quote's evidence is complete (issue 20, ADR/0013): besides its own streams, the billing records billing reported for
/// its order, finance's clearing of its discrepancies, and the catalog and policy versions it was priced under are on its
/// timeline and checked by its verify; a hand edit in any of them is reported there.
/// </summary>
public sealed class QuoteEvidenceTests : IAsyncLifetime
{
    private const string QuoteId = "Q-EV-1";
    private const string RecordId = "INV-EV-1";
    private const string Discrepancy = $"QTC-05:1:{QuoteId}";
    private LedgerWorld _world = null!;

    public async Task InitializeAsync()
    {
        _world = await StartAsync(nameof(QuoteEvidenceTests));
        await _world.PublishCatalogAndPolicyAsync();
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task The_timeline_lists_the_billing_records_the_discrepancy_clearing_and_the_catalog_and_policy_versions_it_was_priced_under()
    {
        await OrderedBilledAndClearedAsync();
        await PublishLaterVersionsAsync(); // not in force when the quote was priced: not its evidence

        var page = await (await _world.Auditor.GetAsync($"/quotes/{QuoteId}/timeline")).EnsureAccepted().Json();
        var streams = page.GetProperty("streams").EnumerateArray().Select(s => s.GetString()).ToList();
        foreach (var stream in new[] { $"billing-record-{RecordId}", $"discrepancy-{Discrepancy}", "catalog", "pricing-policy" })
            Assert.Contains(stream, streams);
        var pricedUnder = page.GetProperty("pricedUnder");
        Assert.Equal(["2026.1"], pricedUnder.GetProperty("catalogVersions").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal(["P-2026.1"], pricedUnder.GetProperty("policyVersions").EnumerateArray().Select(v => v.GetString()));

        var entries = page.GetProperty("entries").EnumerateArray().ToList();
        string[] TypesOf(string stream) => entries.Where(e => e.GetProperty("streamId").GetString() == stream).Select(e => e.GetProperty("type").GetString()!).ToArray();
        Assert.Equal(["billing-record-reported.v1"], TypesOf($"billing-record-{RecordId}"));
        Assert.Equal(["discrepancy-acknowledged.v1"], TypesOf($"discrepancy-{Discrepancy}"));
        // Only the versions in force: the catalog and policy published later are not on this quote's timeline.
        var catalog = Assert.Single(entries, e => e.GetProperty("streamId").GetString() == "catalog");
        Assert.Equal("2026.1", catalog.GetProperty("data").GetProperty("version").GetString());
        var policy = Assert.Single(entries, e => e.GetProperty("streamId").GetString() == "pricing-policy");
        Assert.Equal("P-2026.1", policy.GetProperty("data").GetProperty("version").GetString());
        var positions = entries.Select(e => e.GetProperty("position").GetUInt64()).ToList();
        Assert.Equal(positions.Order(), positions);
        Assert.Equal(positions.Count, page.GetProperty("total").GetInt32());

        var report = await (await _world.Auditor.GetAsync($"/quotes/{QuoteId}/timeline/verify")).EnsureAccepted().Json();
        Assert.True(report.GetProperty("intact").GetBoolean(), report.ToString());
        var verified = report.GetProperty("streams").EnumerateArray().Select(s => s.GetProperty("streamId").GetString()).ToList();
        Assert.Equal(streams, verified);
    }

    public static TheoryData<string, string, string> HandEdits => new()
    {
        { "billing record", $"billing-record-{RecordId}", "update ledger.mt_events set data = jsonb_set(data, '{amount}', '2.00') where stream_id = @stream" },
        { "discrepancy clearing", $"discrepancy-{Discrepancy}", """update ledger.mt_events set data = jsonb_set(data, '{note}', '"nothing to see"') where stream_id = @stream""" },
        { "catalog version", "catalog", """update ledger.mt_events set data = jsonb_set(data, '{offerings,0,listPrices,0,amount}', '1') where stream_id = @stream and data->>'version' = '2026.1'""" },
        { "policy version", "pricing-policy", """update ledger.mt_events set data = jsonb_set(data, '{publishedBy}', '"mallory"') where stream_id = @stream and data->>'version' = 'P-2026.1'""" },
    };

    [Theory, MemberData(nameof(HandEdits))]
    public async Task A_hand_edit_in_a_stream_of_the_quotes_evidence_is_reported_by_its_verify(string what, string stream, string sql)
    {
        _world = await _world.InPostgresModeAsync(nameof(QuoteEvidenceTests), w => w.PublishCatalogAndPolicyAsync());
        await OrderedBilledAndClearedAsync();
        await PublishLaterVersionsAsync();
        Assert.True((await VerifyAsync()).GetProperty("intact").GetBoolean(), $"intact before the {what} was edited");

        await ExecuteAsync(sql, stream);

        var report = await VerifyAsync();
        Assert.False(report.GetProperty("intact").GetBoolean());
        var broken = report.GetProperty("streams").EnumerateArray().Where(s => !s.GetProperty("intact").GetBoolean()).ToList();
        var edited = Assert.Single(broken);
        Assert.Equal(stream, edited.GetProperty("streamId").GetString());
        Assert.Equal(nameof(BrokenLinkKind.EventAltered), edited.GetProperty("firstBrokenLink").GetProperty("kind").GetString());
    }

    [Fact]
    public async Task An_edit_to_a_catalog_version_published_after_the_quote_was_priced_is_not_the_quotes_but_verify_all_reports_it()
    {
        _world = await _world.InPostgresModeAsync(nameof(QuoteEvidenceTests), w => w.PublishCatalogAndPolicyAsync());
        await OrderedBilledAndClearedAsync();
        await PublishLaterVersionsAsync();

        await ExecuteAsync("""update ledger.mt_events set data = jsonb_set(data, '{publishedBy}', '"mallory"') where stream_id = @stream and data->>'version' = '2026.2'""", "catalog");

        Assert.True((await VerifyAsync()).GetProperty("intact").GetBoolean(), "the quote was priced under 2026.1, which still verifies");
        var all = await new ChainVerifier(_world.EventStore).VerifyAllAsync();
        Assert.Equal(BrokenLinkKind.EventAltered, all.Single(r => r.StreamId == "catalog").FirstBrokenLink?.Kind);
    }

    private async Task<JsonElement> VerifyAsync() =>
        await (await _world.Auditor.GetAsync($"/quotes/{QuoteId}/timeline/verify")).EnsureAccepted().Json();

    /// <summary>
    /// Drafted within policy, sent, accepted and ordered; billing then reports an invoice for another amount than the quote's
    /// net total (QTC-05, billed-amount-mismatch), and finance acknowledges that discrepancy.
    /// </summary>
    private async Task OrderedBilledAndClearedAsync()
    {
        var sf = _world.Salesforce;
        (await Post(sf, "/quotes", QuoteToCashJourneyTests.Draft(QuoteId, "EUR", "Europe/Berlin"))).EnsureAccepted();
        (await Post(sf, $"/quotes/{QuoteId}/lines", new { lineId = "L1", productOfferingId = "PLAT-ENT", catalogVersion = "2026.1", quantity = 2, discountPercent = 0 })).EnsureAccepted();
        (await Post(sf, $"/quotes/{QuoteId}/price", new { })).EnsureAccepted();
        (await Post(sf, $"/quotes/{QuoteId}/submit")).EnsureAccepted();
        await _world.ReactionsSettledAsync();
        (await Post(sf, $"/quotes/{QuoteId}/send", new { documentHash = "sha256:doc" })).EnsureAccepted();
        (await Post(sf, $"/quotes/{QuoteId}/accept", new { revision = 1, acceptanceType = "signature", signer = "Dana Whitfield" })).EnsureAccepted();
        (await Post(sf, $"/quotes/{QuoteId}/order", new { billingAccount = "BA-ACME-EU" })).EnsureAccepted();
        await Eventually(() => _world.StreamAsync($"order-ord-{QuoteId}"), e => e.Any(x => x.Type == "order-closed.v1"), TimeSpan.FromMinutes(2));
        await _world.ReactionsSettledAsync();

        (await Post(_world.Billing, "/billing/records", new
        {
            records = new[] { new { recordId = RecordId, orderId = $"ord-{QuoteId}", kind = "Invoice", amount = 1.00m, currency = "EUR", status = "Issued", observedAt = "2026-03-10T10:00:00Z" } },
        })).EnsureAccepted();
        // The discrepancy is the projections' to detect; finance can acknowledge it once the list shows it.
        var acknowledged = await Eventually(
            () => Post(_world.Finance, $"/reconciliation/discrepancies/{Discrepancy}/acknowledge", new { note = "Asking billing" }),
            r => r.StatusCode != HttpStatusCode.NotFound, TimeSpan.FromMinutes(2));
        acknowledged.EnsureAccepted();
    }

    /// <summary>A catalog and a policy version published after the quote was priced.</summary>
    private async Task PublishLaterVersionsAsync()
    {
        (await Post(_world.Admin, "/catalog/versions", new
        {
            version = "2026.2",
            offerings = new[] { new { productOfferingId = "PLAT-ENT", name = "Platform Enterprise", listPrices = new[] { new { currency = "EUR", amount = 1500.00m } } } },
        })).EnsureAccepted();
        (await Post(_world.Admin, "/pricing-policies", new
        {
            version = "P-2026.2",
            defaults = new
            {
                dealDeskAboveDiscountPercent = 5m, vicePresidentAboveDiscountPercent = 20m, cfoAboveDiscountPercent = 30m,
                cfoAboveNetTotal = new[] { new { currency = "EUR", amount = 500000m } },
            },
        })).EnsureAccepted();
    }

    private async Task ExecuteAsync(string sql, string stream)
    {
        await using var command = _world.Ledger.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(sql);
        command.Parameters.AddWithValue("stream", stream);
        Assert.True(await command.ExecuteNonQueryAsync() > 0, "The tampering touched no row.");
    }
}
