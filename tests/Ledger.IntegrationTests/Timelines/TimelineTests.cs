using Ledger.Testing;
using System.Net;
using System.Text.Json;
using Ledger.IntegrationTests.Journeys;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit;
using static Ledger.IntegrationTests.Journeys.LedgerWorld;

namespace Ledger.IntegrationTests.Timelines;

/// <summary>Auditor timelines over real HTTP and PostgreSQL: complete, ordered, replayable as of any instant, and tamper-evident.</summary>
public sealed class TimelineTests : IAsyncLifetime
{
    private LedgerWorld _world = null!;

    public async Task InitializeAsync()
    {
        _world = await StartAsync(nameof(TimelineTests));
        await _world.PublishCatalogAndPolicyAsync();
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task A_full_journeys_timeline_has_every_event_of_every_stream_in_recorded_order()
    {
        await BilledJourney("Q-TL-1");
        var page = await Timeline("Q-TL-1");

        // The catalog and policy streams hold one version each here: the ones the quote was priced under.
        var expectedStreams = new[] { "quote-Q-TL-1", "approval-Q-TL-1-r1", "order-ord-Q-TL-1", "billing-ord-Q-TL-1", "catalog", "pricing-policy" };
        Assert.Equal(expectedStreams, page.GetProperty("streams").EnumerateArray().Select(s => s.GetString()));
        var entries = page.GetProperty("entries").EnumerateArray().ToList();
        var stored = 0;
        foreach (var stream in expectedStreams) stored += (await _world.StreamAsync(stream)).Count;
        Assert.Equal(stored, entries.Count);
        var positions = entries.Select(e => e.GetProperty("position").GetUInt64()).ToList();
        Assert.Equal(positions.Order(), positions);
        Assert.Equal(positions.Count, positions.Distinct().Count());
        Assert.All(entries, e =>
        {
            foreach (var field in new[] { "type", "streamId", "recordedAt", "actor", "sourceSystem", "correlationId", "causationId", "hash" })
                Assert.False(string.IsNullOrEmpty(e.GetProperty(field).ToString()), $"{field} is empty");
        });
    }

    [Fact]
    public async Task As_of_each_quote_event_the_state_is_the_one_the_quote_had_then()
    {
        await BilledJourney("Q-TL-2");
        var quoteEvents = await _world.StreamAsync("quote-Q-TL-2");
        var expected = new[] { "Draft", "Draft", "Draft", "InApproval", "Approved", "Sent", "Accepted", "Ordered" };
        Assert.Equal(expected.Length, quoteEvents.Count);

        for (var i = 0; i < quoteEvents.Count; i++)
        {
            var asOf = NodaTime.Text.InstantPattern.ExtendedIso.Format(quoteEvents[i].Event.Metadata.RecordedAt);
            var page = await Timeline("Q-TL-2", $"?asOf={Uri.EscapeDataString(asOf)}");
            var state = page.GetProperty("state");
            Assert.Equal(expected[i], state.GetProperty("status").GetString());
            Assert.Equal(i + 1, state.GetProperty("eventsFolded").GetInt64());
            Assert.All(page.GetProperty("entries").EnumerateArray(), e => Assert.True(string.CompareOrdinal(e.GetProperty("recordedAt").GetString(), asOf) <= 0));
        }
    }

    [Fact]
    public async Task Paging_walks_the_whole_timeline_once()
    {
        await BilledJourney("Q-TL-3");
        var all = (await Timeline("Q-TL-3")).GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("position").GetUInt64()).ToList();

        var walked = new List<ulong>();
        ulong? after = 0;
        while (after is not null)
        {
            var page = await Timeline("Q-TL-3", $"?limit=4&after={after}");
            walked.AddRange(page.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("position").GetUInt64()));
            after = page.GetProperty("nextAfter").ValueKind == JsonValueKind.Null ? null : page.GetProperty("nextAfter").GetUInt64();
        }
        Assert.Equal(all, walked);
    }

    [Fact]
    public async Task From_the_quote_approval_the_auditor_reaches_the_grant_that_caused_it_and_everything_it_caused()
    {
        await BilledJourney("Q-TL-4");
        var entries = (await Timeline("Q-TL-4")).GetProperty("entries").EnumerateArray().ToList();
        var approved = entries.Single(e => e.GetProperty("type").GetString() == "quote-approved.v1");
        // The ledger approved the quote in reaction to the completed approval, which the approver's grant decided.
        var completed = entries.Single(e => e.GetProperty("eventId").GetString() == approved.GetProperty("causationId").GetString());
        Assert.Equal("approval-completed.v1", completed.GetProperty("type").GetString());
        var grant = completed.GetProperty("causationId").GetString();

        var caused = await (await _world.Auditor.GetAsync($"/quotes/Q-TL-4/timeline/commands/{grant}")).EnsureAccepted().Json();
        Assert.Equal(["approval-level-granted.v2", "approval-completed.v1", "quote-approved.v1"],
            caused.EnumerateArray().Select(e => e.GetProperty("type").GetString()));
    }

    [Fact]
    public async Task An_untouched_history_verifies_intact()
    {
        await BilledJourney("Q-TL-5");
        var report = await (await _world.Auditor.GetAsync("/quotes/Q-TL-5/timeline/verify")).EnsureAccepted().Json();
        Assert.True(report.GetProperty("intact").GetBoolean());
        Assert.Equal(6, report.GetProperty("streams").GetArrayLength()); // its four, and the catalog and policy it was priced under
    }

    public static TheoryData<string, string, string> Tampering => new()
    {
        // An edited amount: the event's own hash no longer matches.
        { "edit", "update ledger.mt_events set data = jsonb_set(data, '{snapshot,netTotal}', '1.00') where stream_id = @stream and type = 'quote-priced.v1'", "EventAltered" },
        // A removed event: the revisions have a hole.
        { "delete", "delete from ledger.mt_events where stream_id = @stream and type = 'quote-sent.v1'", "RevisionMissing" },
        // The newest event removed: nothing follows it to break a link, but the stream's recorded length says so.
        { "truncate", "delete from ledger.mt_events where stream_id = @stream and version = (select max(version) from ledger.mt_events where stream_id = @stream)", "TailMissing" },
        // Two events swapped: each now follows the wrong predecessor.
        // Two events swapped (through negative versions, since (stream, version) is unique): each now follows the wrong predecessor.
        { "reorder", """
                     update ledger.mt_events set version = -version where stream_id = @stream and type in ('quote-sent.v1', 'quote-accepted.v1');
                     update ledger.mt_events e set version = case e.type
                         when 'quote-sent.v1' then (select -version from ledger.mt_events where stream_id = @stream and type = 'quote-accepted.v1')
                         else (select -version from ledger.mt_events where stream_id = @stream and type = 'quote-sent.v1') end
                     where e.stream_id = @stream and e.type in ('quote-sent.v1', 'quote-accepted.v1');
                     """, "ChainBroken" },
    };

    [Theory, MemberData(nameof(Tampering))]
    public async Task Tampering_with_rows_in_postgresql_is_detected_with_the_first_broken_link(string how, string sql, string kind)
    {
        _world = await _world.InPostgresModeAsync(nameof(TimelineTests), w => w.PublishCatalogAndPolicyAsync());
        var quoteId = $"Q-TAMPER-{how}";
        await BilledJourney(quoteId);
        await using (var command = _world.Ledger.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(sql))
        {
            command.Parameters.AddWithValue("stream", $"quote-{quoteId}");
            Assert.True(await command.ExecuteNonQueryAsync() > 0, "The tampering touched no row.");
        }

        var report = await (await _world.Auditor.GetAsync($"/quotes/{quoteId}/timeline/verify")).EnsureAccepted().Json();
        Assert.False(report.GetProperty("intact").GetBoolean());
        var quote = report.GetProperty("streams").EnumerateArray().Single(s => s.GetProperty("streamId").GetString() == $"quote-{quoteId}");
        var broken = quote.GetProperty("firstBrokenLink");
        Assert.Equal(kind, broken.GetProperty("kind").GetString());
        Assert.All(report.GetProperty("streams").EnumerateArray().Where(s => s.GetProperty("streamId").GetString() != $"quote-{quoteId}"),
            s => Assert.True(s.GetProperty("intact").GetBoolean()));
        // Every stream at once (`ledger verify --all`) names the same break, not a look-alike from reading in global order.
        var all = await new Ledger.EventStore.Verification.ChainVerifier(_world.EventStore).VerifyAllAsync();
        Assert.Equal(kind, all.Single(r => r.StreamId == $"quote-{quoteId}").FirstBrokenLink?.Kind.ToString());
    }

    [Fact]
    public async Task Only_auditors_read_timelines()
    {
        await BilledJourney("Q-TL-ROLE");
        Assert.Equal(HttpStatusCode.Forbidden, (await _world.Salesforce.GetAsync("/quotes/Q-TL-ROLE/timeline")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await _world.Finance.GetAsync("/quotes/Q-TL-ROLE/timeline/verify")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _world.Auditor.GetAsync("/quotes/Q-TL-ROLE/timeline")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Post(_world.Auditor, "/quotes/Q-TL-ROLE/withdraw", new { reason = "audit" })).StatusCode);
    }

    private async Task<JsonElement> Timeline(string quoteId, string query = "") =>
        await (await _world.Auditor.GetAsync($"/quotes/{quoteId}/timeline{query}")).EnsureAccepted().Json();

    /// <summary>Draft → two approval levels → sent → accepted → ordered → billed and closed.</summary>
    private async Task BilledJourney(string quoteId)
    {
        var sf = _world.Salesforce;
        (await Post(sf, "/quotes", QuoteToCashJourneyTests.Draft(quoteId, "EUR", "Europe/Berlin"))).EnsureAccepted();
        (await Post(sf, $"/quotes/{quoteId}/lines", new { lineId = "L1", productOfferingId = "PLAT-ENT", catalogVersion = "2026.1", quantity = 5, discountPercent = 15 })).EnsureAccepted();
        (await Post(sf, $"/quotes/{quoteId}/price", new { })).EnsureAccepted();
        (await Post(sf, $"/quotes/{quoteId}/submit")).EnsureAccepted();
        await _world.ReactionsSettledAsync(); // the approval is requested by a reaction to the submission
        (await Post(_world.Approver, $"/approvals/{quoteId}/1/grant", new { level = "DealDesk", approver = "vic.desk" })).EnsureAccepted();
        await _world.ReactionsSettledAsync(); // and the quote approved by a reaction to the completed approval
        (await Post(sf, $"/quotes/{quoteId}/send", new { documentHash = "sha256:doc" })).EnsureAccepted();
        (await Post(sf, $"/quotes/{quoteId}/accept", new { revision = 1, acceptanceType = "signature", signer = "Dana Whitfield" })).EnsureAccepted();
        (await Post(sf, $"/quotes/{quoteId}/order", new { billingAccount = "BA-ACME-EU" })).EnsureAccepted();
        await Eventually(() => _world.StreamAsync($"order-ord-{quoteId}"), e => e.Any(x => x.Type == "order-closed.v1"));
        await _world.ReactionsSettledAsync();
    }
}
