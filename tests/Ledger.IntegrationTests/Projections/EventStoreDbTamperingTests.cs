using System.Text.Json.Nodes;
using Ledger.Api;
using Ledger.EventStore;
using Ledger.EventStore.EventStoreDb;
using Ledger.EventStore.Verification;
using Ledger.IntegrationTests.Journeys;
using Ledger.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static Ledger.IntegrationTests.Journeys.LedgerWorld;

namespace Ledger.IntegrationTests.Projections;

/// <summary>
/// The EventStoreDB counterparts of <see cref="QuarantineTests"/> (ADR/0025, ADR/0018). No SQL reaches the record in
/// EventStoreDB mode, but any client of the shared server can append to a ledger stream. A withdrawal shaped exactly like
/// the ledger's, whose hash does not hold, or holds but does not chain from the stream's previous event, is reported by
/// verification (which reads EventStoreDB) and quarantined by the replicator: copied as a stand-in, never projected,
/// counted in /metrics, /health Degraded. Runs when <c>LEDGER_TEST_ESDB</c> names a server.
/// </summary>
[Collection(Api.MetricsAlone.Name)] // reads a gauge: no other host in the process (AlertRulesTests)
public sealed class EventStoreDbTamperingTests : IAsyncLifetime
{
    private LedgerWorld? _world;

    public async Task InitializeAsync()
    {
        if (!TestEventStore.IsEventStoreDb) return;
        _world = await StartAsync(nameof(EventStoreDbTamperingTests));
        await _world.PublishCatalogAndPolicyAsync();
    }

    public async Task DisposeAsync()
    {
        if (_world is not null) await _world.DisposeAsync();
    }

    public static TheoryData<string, BrokenLinkKind> Forgeries => new()
    {
        // The hash is not the event's: the other client wrote something, not what the ledger computes over it.
        { "hash", BrokenLinkKind.EventAltered },
        // The hash is the event's own, computed over a previous hash that is not the stream's: made for another chain.
        { "link", BrokenLinkKind.ChainBroken },
    };

    [SkippableTheory, MemberData(nameof(Forgeries))]
    public async Task A_withdrawal_another_client_appends_is_reported_and_never_projected(string how, BrokenLinkKind kind)
    {
        Skip.If(_world is null, TestEventStore.SkipReason);
        var (quoteId, template, bystander) = ($"Q-FORGED-{how}", $"Q-FORGED-{how}-TEMPLATE", $"Q-FORGED-{how}-BYSTANDER");
        foreach (var id in new[] { quoteId, template, bystander })
        {
            (await Post(_world.Salesforce, "/quotes", QuoteToCashJourneyTests.Draft(id, "EUR", "Europe/Berlin"))).EnsureAccepted();
            (await Post(_world.Salesforce, $"/quotes/{id}/lines", new { lineId = "L1", productOfferingId = "PLAT-ENT", catalogVersion = "2026.1", quantity = 2, discountPercent = 0 })).EnsureAccepted();
        }
        (await Post(_world.Salesforce, $"/quotes/{template}/withdraw", new { reason = "customer went elsewhere" })).EnsureAccepted();

        // The genuine withdrawal, re-aimed at the quote by another client of the server, at the quote's next revision.
        var withdrawn = (await _world.StreamAsync($"quote-{template}")).Single(e => e.Type == "quote-withdrawn.v1").Event;
        var tail = (await _world.StreamAsync($"quote-{quoteId}"))[^1].Event;
        var data = JsonNode.Parse(withdrawn.Data.Span)!;
        data["quoteId"] = quoteId;
        var forged = new EventToAppend(Guid.NewGuid(), withdrawn.Type, System.Text.Encoding.UTF8.GetBytes(data.ToJsonString()), withdrawn.Metadata);
        var chained = how == "hash"
            ? new ChainedEvent(forged, tail.Hash, "0000bogus")
            : new ChainedEvent(forged, "0000elsewhere", EventHash.Compute(forged.Type, forged.Data.Span, forged.Metadata, "0000elsewhere"));
        using (var otherClient = new EventStoreDbBackend(_world.Ledger.Services.GetRequiredService<LedgerSettings>().EventStore))
            Assert.IsType<AppendResult.Success>(await otherClient.AppendAsync($"quote-{quoteId}", ExpectedRevision.After(tail.Revision), [chained]));

        // After it: the bystander is priced and submitted, so replication and the daemon have gone past the forged event.
        (await Post(_world.Salesforce, $"/quotes/{bystander}/price", new { })).EnsureAccepted();
        (await Post(_world.Salesforce, $"/quotes/{bystander}/submit")).EnsureAccepted();
        await _world.ReactionsSettledAsync();
        Assert.NotEqual("Draft", await Eventually(() => StatusAsync(bystander), s => s is not null and not "Draft", TimeSpan.FromMinutes(2)));
        Assert.Equal("Withdrawn", await Eventually(() => StatusAsync(template), s => s == "Withdrawn"));

        // Never applied: the CRM still sees a draft.
        Assert.Equal("Draft", await StatusAsync(quoteId));
        // Reported by verification, which reads EventStoreDB.
        var report = await new ChainVerifier(_world.EventStore).VerifyStreamAsync($"quote-{quoteId}");
        Assert.Equal((kind, 2L), (report.FirstBrokenLink?.Kind, report.FirstBrokenLink?.Revision));
        // Counted and shown to operators.
        var health = await (await _world.Ledger.Http.GetAsync("/health")).Json();
        Assert.Equal("Degraded", health.GetProperty("checks").GetProperty("quarantine").GetProperty("status").GetString());
        var metrics = await _world.Ledger.Http.GetStringAsync("/metrics");
        Assert.Contains(metrics.Split('\n'), l => l.StartsWith("ledger_events_quarantined") && l.TrimEnd().EndsWith(" 1"));
    }

    private async Task<string?> StatusAsync(string quoteId)
    {
        var response = await _world!.Salesforce.GetAsync($"/crm/salesforce/quotes/{quoteId}");
        if (!response.IsSuccessStatusCode) return null;
        return (await response.Json()).GetProperty("status").GetProperty("value").GetString();
    }
}
