using Ledger.Testing;
using Ledger.EventStore.Verification;
using Ledger.IntegrationTests.Journeys;
using Marten;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit;
using static Ledger.IntegrationTests.Journeys.LedgerWorld;

namespace Ledger.IntegrationTests.Projections;

/// <summary>
/// The read side applies only what the ledger wrote (ADR/0025): a withdrawal inserted into <c>mt_events</c> by hand, with a
/// hash that does not chain, is quarantined (skipped by the daemon) and reported by verification, while the ledger's own
/// events, from commands and reactions alike, are all projected.
/// </summary>
[Collection(Api.MetricsAlone.Name)] // reads a gauge: no other host in the process (AlertRulesTests)
public sealed class QuarantineTests : IAsyncLifetime
{
    private LedgerWorld _world = null!;

    public async Task InitializeAsync()
    {
        // Its tampering is SQL on PostgreSQL's event table: PostgreSQL mode in every run (EventStoreDbTamperingTests has the
        // EventStoreDB counterparts: another client's events, with hashes that do not hold, quarantined by the replicator).
        _world = await StartAsync(nameof(QuarantineTests), settings: PostgresMode);
        await _world.PublishCatalogAndPolicyAsync();
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task A_withdrawal_inserted_by_hand_is_reported_and_never_projected()
    {
        var sf = _world.Salesforce;
        // A genuine withdrawal elsewhere, whose row the hand copies onto Q-QUAR with a hash of its own making.
        await WithdrawalForgedByHandAsync("Q-QUAR");

        // After the row: the bystander is priced and submitted (a reaction follows), so the daemon has projected past the row.
        (await Post(sf, "/quotes/Q-QUAR-BYSTANDER/price", new { })).EnsureAccepted();
        (await Post(sf, "/quotes/Q-QUAR-BYSTANDER/submit")).EnsureAccepted();
        await _world.ReactionsSettledAsync();
        var bystander = await Eventually(() => StatusAsync("Q-QUAR-BYSTANDER"), s => s is not "Draft", TimeSpan.FromMinutes(2));
        Assert.NotEqual("Draft", bystander);
        Assert.Equal("Withdrawn", await Eventually(() => StatusAsync("Q-QUAR-TEMPLATE"), s => s == "Withdrawn"));

        // The forged withdrawal was never applied: the CRM still sees a draft.
        Assert.Equal("Draft", await StatusAsync("Q-QUAR"));
        // Quarantined: the one hand-made row is skipped; every row the ledger wrote (commands and reactions) is not.
        Assert.Equal(["quote-Q-QUAR"], await SkippedStreamsAsync());
        // And reported: verification names the row.
        var report = await new ChainVerifier(_world.EventStore).VerifyStreamAsync("quote-Q-QUAR");
        Assert.Equal(BrokenLinkKind.EventAltered, report.FirstBrokenLink?.Kind);
        Assert.Equal(2, report.FirstBrokenLink?.Revision);
        // And counted for operators: /metrics carries the quarantined rows (sampled every few seconds).
        var metrics = await Eventually(() => _world.Ledger.Http.GetStringAsync("/metrics"),
            m => m.Split('\n').Any(l => l.StartsWith("ledger_events_quarantined") && l.TrimEnd().EndsWith(" 1")), TimeSpan.FromMinutes(1));
        var quarantined = metrics.Split('\n').Where(l => l.Contains("quarantined")).ToList();
        Assert.True(quarantined.Any(l => l.StartsWith("ledger_events_quarantined") && l.TrimEnd().EndsWith(" 1")), string.Join("\n", quarantined));
        // And shown: /health is Degraded while a row is quarantined.
        var health = await (await _world.Ledger.Http.GetAsync("/health")).Json();
        Assert.Equal("Degraded", health.GetProperty("checks").GetProperty("quarantine").GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_rebuild_in_one_pass_leaves_quarantined_rows_out_and_gives_the_documents_the_live_run_gave()
    {
        var sf = _world.Salesforce;
        // A hand-made row: a withdrawal forged onto Q-QREB.
        await WithdrawalForgedByHandAsync("Q-QREB");
        Assert.Equal(["quote-Q-QREB"], await SkippedStreamsAsync());
        // A later event (the port reads the forged row, so Q-QREB itself refuses), so the live run has projected past the row.
        (await Post(sf, "/quotes/Q-QREB-BYSTANDER/price", new { })).EnsureAccepted();
        await _world.ReactionsSettledAsync();
        var connectionString = _world.Ledger.Services.GetRequiredService<Ledger.Api.LedgerSettings>().PostgresConnectionString;
        var store = _world.Ledger.Services.GetRequiredService<IDocumentStore>();
        await store.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60));
        var live = await ViewDocuments.ReadAsync(connectionString);
        var occurrences = await ViewDocuments.ReadOccurrenceIndexAsync(connectionString);
        Assert.Contains("QuoteView/Q-QREB", live.Keys);

        Assert.Equal(System.Net.HttpStatusCode.Accepted, (await Post(_world.Admin, "/projections/rebuild")).StatusCode);
        var statuses = await Eventually(async () => (await (await _world.Admin.GetAsync("/projections")).Json()).EnumerateArray().ToList(),
            list => list.All(p => p.GetProperty("rebuild").ValueKind == System.Text.Json.JsonValueKind.Object && p.GetProperty("rebuild").GetProperty("status").GetString() != "Running"));
        Assert.All(statuses, s => Assert.Equal("Completed", s.GetProperty("rebuild").GetProperty("status").GetString()));
        await store.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60));

        // The forged withdrawal did not reach the rebuilt views: they equal the live run's, which skipped it too.
        var rebuilt = await ViewDocuments.ReadAsync(connectionString);
        Assert.Equal(live.Keys.Order(), rebuilt.Keys.Order());
        Assert.All(live, d => Assert.Equal(d.Value, rebuilt[d.Key]));
        Assert.Equal(occurrences, await ViewDocuments.ReadOccurrenceIndexAsync(connectionString));
        Assert.Equal("Draft", await StatusAsync("Q-QREB"));
    }

    [Fact]
    public async Task An_event_edited_by_hand_is_quarantined_so_a_rebuild_does_not_apply_the_edit()
    {
        var sf = _world.Salesforce;
        (await Post(sf, "/quotes", QuoteToCashJourneyTests.Draft("Q-QUAR-EDIT", "EUR", "Europe/Berlin"))).EnsureAccepted();
        (await Post(sf, "/quotes/Q-QUAR-EDIT/lines", new { lineId = "L1", productOfferingId = "PLAT-ENT", catalogVersion = "2026.1", quantity = 2, discountPercent = 0 })).EnsureAccepted();
        await ExecuteAsync("update ledger.mt_events set data = jsonb_set(data, '{quantity}', '200') where stream_id = 'quote-Q-QUAR-EDIT' and type = 'quote-line-added.v1'");
        Assert.Equal(["quote-Q-QUAR-EDIT"], await SkippedStreamsAsync());
        // A change of something else about the row (Marten's own bookkeeping columns) is not an edit of the fact.
        await ExecuteAsync("update ledger.mt_events set timestamp = timestamp where stream_id = 'quote-Q-QUAR-EDIT' and type = 'quote-drafted.v1'");
        Assert.Equal(["quote-Q-QUAR-EDIT"], await SkippedStreamsAsync());
    }

    /// <summary>
    /// Drafts <paramref name="quoteId"/>, <c>{quoteId}-TEMPLATE</c> and <c>{quoteId}-BYSTANDER</c> with a line each, withdraws the
    /// template, and copies its withdrawal row onto <paramref name="quoteId"/> by hand, with a hash of its own making.
    /// </summary>
    private async Task WithdrawalForgedByHandAsync(string quoteId)
    {
        var sf = _world.Salesforce;
        foreach (var id in new[] { quoteId, $"{quoteId}-TEMPLATE", $"{quoteId}-BYSTANDER" })
        {
            (await Post(sf, "/quotes", QuoteToCashJourneyTests.Draft(id, "EUR", "Europe/Berlin"))).EnsureAccepted();
            (await Post(sf, $"/quotes/{id}/lines", new { lineId = "L1", productOfferingId = "PLAT-ENT", catalogVersion = "2026.1", quantity = 2, discountPercent = 0 })).EnsureAccepted();
        }
        (await Post(sf, $"/quotes/{quoteId}-TEMPLATE/withdraw", new { reason = "customer went elsewhere" })).EnsureAccepted();
        await ExecuteAsync($$"""
            insert into ledger.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, headers, correlation_id, causation_id, user_name)
            select nextval('ledger.mt_events_sequence'), gen_random_uuid(), 'quote-{{quoteId}}', (select version + 1 from ledger.mt_streams where id = 'quote-{{quoteId}}'),
                   jsonb_set(data, '{quoteId}', '"{{quoteId}}"'), type, now(), tenant_id, mt_dotnet_type, jsonb_set(headers, '{hash}', '"0000bogus"'),
                   correlation_id, causation_id, user_name
            from ledger.mt_events where stream_id = 'quote-{{quoteId}}-TEMPLATE' and type = 'quote-withdrawn.v1';
            update ledger.mt_streams set version = version + 1 where id = 'quote-{{quoteId}}';
            """);
    }

    private async Task<string?> StatusAsync(string quoteId)
    {
        var response = await _world.Salesforce.GetAsync($"/crm/salesforce/quotes/{quoteId}");
        if (!response.IsSuccessStatusCode) return null;
        return (await response.Json()).GetProperty("status").GetProperty("value").GetString();
    }

    private async Task<List<string>> SkippedStreamsAsync()
    {
        await using var command = _world.Ledger.Services.GetRequiredService<NpgsqlDataSource>()
            .CreateCommand("select stream_id from ledger.mt_events where is_skipped order by seq_id");
        await using var reader = await command.ExecuteReaderAsync();
        var streams = new List<string>();
        while (await reader.ReadAsync()) streams.Add(reader.GetString(0));
        return streams;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var command = _world.Ledger.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(sql);
        Assert.True(await command.ExecuteNonQueryAsync() > 0, "The tampering touched no row.");
    }
}
