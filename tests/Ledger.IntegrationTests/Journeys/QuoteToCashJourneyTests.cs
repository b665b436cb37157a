using System.Net;
using Ledger.EventStore;
using Ledger.EventStore.Writing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit;
using static Ledger.IntegrationTests.Journeys.LedgerWorld;

namespace Ledger.IntegrationTests.Journeys;

/// <summary>The whole way for two CRMs over real HTTP, PostgreSQL and the billing simulator: draft to a closed, billed order.</summary>
public sealed class QuoteToCashJourneyTests() : QuoteToCashJourneys(null);

/// <summary>
/// The same journeys with commands written through the event store port, as in EventStoreDB mode (read once, append,
/// store the answer after), here over the PostgreSQL backend: that command path runs in every test run, server or not.
/// </summary>
public sealed class QuoteToCashJourneyThroughThePortTests() : QuoteToCashJourneys(services =>
    services.AddSingleton<IWriteSessions>(sp => new PortWriteSessions(sp.GetRequiredService<HashChainingEventStore>(), sp.GetRequiredService<NpgsqlDataSource>())));

public abstract class QuoteToCashJourneys(Action<IServiceCollection>? services) : IAsyncLifetime
{
    private LedgerWorld _world = null!;

    public async Task InitializeAsync()
    {
        _world = await StartAsync(GetType().Name, services: services);
        await _world.PublishCatalogAndPolicyAsync();
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task Salesforce_quote_with_a_25_percent_discount_goes_through_two_approval_levels_to_a_billed_closed_order()
    {
        var sf = _world.Salesforce;
        var drafted = (await Post(sf, "/quotes", Draft("Q-SF-1", "EUR", "Europe/Berlin"))).EnsureAccepted();
        Assert.Equal(HttpStatusCode.Created, drafted.StatusCode);
        Assert.Equal("/quotes/Q-SF-1", drafted.Headers.Location?.ToString());

        (await Post(sf, "/quotes/Q-SF-1/lines", new { lineId = "L1", productOfferingId = "PLAT-ENT", catalogVersion = "2026.1", quantity = 10, discountPercent = 25 })).EnsureAccepted();
        (await Post(sf, "/quotes/Q-SF-1/lines", new { lineId = "L2", productOfferingId = "SUPPORT-24", catalogVersion = "2026.1", quantity = 10, discountPercent = 0 })).EnsureAccepted();
        (await Post(sf, "/quotes/Q-SF-1/price", new { })).EnsureAccepted();
        (await Post(sf, "/quotes/Q-SF-1/submit")).EnsureAccepted();
        await _world.ReactionsSettledAsync(); // the approval is requested by a reaction to the submission

        var quote = await (await sf.GetAsync("/quotes/Q-SF-1")).EnsureAccepted().Json();
        Assert.Equal("InApproval", quote.GetProperty("status").GetString());
        Assert.Equal(9000.00m + 2400.00m, quote.GetProperty("netTotal").GetDecimal()); // 12,000 − 25% + 2,400

        (await Post(_world.Approver, "/approvals/Q-SF-1/1/grant", new { level = "DealDesk", approver = "vic.desk" })).EnsureAccepted();
        (await Post(_world.Approver, "/approvals/Q-SF-1/1/grant", new { level = "VicePresident", approver = "val.vp" })).EnsureAccepted();
        await _world.ReactionsSettledAsync();
        Assert.Equal("Approved", (await (await sf.GetAsync("/quotes/Q-SF-1")).Json()).GetProperty("status").GetString());

        (await Post(sf, "/quotes/Q-SF-1/send", new { documentHash = "sha256:quote-pdf-1" })).EnsureAccepted();
        (await Post(sf, "/quotes/Q-SF-1/accept", new { revision = 1, acceptanceType = "signature", signer = "Dana Whitfield" })).EnsureAccepted();
        var order = (await Post(sf, "/quotes/Q-SF-1/order", new { billingAccount = "BA-ACME-EU" })).EnsureAccepted();
        Assert.Equal("/orders/ord-Q-SF-1", order.Headers.Location?.ToString());

        // The simulator acknowledges asynchronously through the ledger's API; the order then closes.
        var orderEvents = await Eventually(() => _world.StreamAsync("order-ord-Q-SF-1"), e => e.Any(x => x.Type == "order-closed.v1"));
        Assert.Equal(["order-placed.v2", "order-closed.v1"], orderEvents.Select(e => e.Type));
        var billing = await _world.StreamAsync("billing-ord-Q-SF-1");
        Assert.Equal(["billing-handoff-requested.v3", "billing-handoff-acknowledged.v1"], billing.Select(e => e.Type));
        Assert.Equal(11400.00m, billing[1].Data.GetProperty("billedAmount").GetDecimal());

        var quoteEvents = await _world.StreamAsync("quote-Q-SF-1");
        Assert.Equal(
            ["quote-drafted.v1", "quote-line-added.v1", "quote-line-added.v1", "quote-priced.v1", "quote-submitted-for-approval.v1", "quote-approved.v1",
             "quote-sent.v1", "quote-accepted.v1", "quote-converted-to-order.v1"],
            quoteEvents.Select(e => e.Type));
        var approval = await _world.StreamAsync("approval-Q-SF-1-r1");
        Assert.Equal(["approval-requested.v1", "approval-level-granted.v2", "approval-level-granted.v2", "approval-completed.v1"], approval.Select(e => e.Type));
        // The ledger approved the quote in reaction to the completed approval, in the approver's correlation; the approval was
        // requested in reaction to the submission. Everything else on the quote came from Salesforce.
        var approved = quoteEvents.Single(e => e.Type == "quote-approved.v1").Event.Metadata;
        Assert.Equal(("ledger", "ledger"), (approved.Actor, approved.SourceSystem));
        Assert.Equal(approval[^1].Event.EventId.ToString(), approved.CausationId);
        Assert.Equal(approval[^1].Event.Metadata.CorrelationId, approved.CorrelationId);
        var submitted = quoteEvents.Single(e => e.Type == "quote-submitted-for-approval.v1").Event;
        Assert.Equal(submitted.EventId.ToString(), approval[0].Event.Metadata.CausationId);
        var converted = quoteEvents.Single(e => e.Type == "quote-converted-to-order.v1").Event.Metadata;
        Assert.Equal(orderEvents[0].Event.EventId.ToString(), converted.CausationId);
        Assert.All(quoteEvents.Where(e => e.Type is not ("quote-approved.v1" or "quote-converted-to-order.v1")),
            e => Assert.Equal("salesforce", e.Event.Metadata.SourceSystem));
    }

    [Fact]
    public async Task HubSpot_quote_within_policy_is_approved_on_submit_and_billed()
    {
        var hs = _world.HubSpot;
        (await Post(hs, "/quotes", Draft("Q-HS-1", "USD", "America/New_York"))).EnsureAccepted();
        (await Post(hs, "/quotes/Q-HS-1/lines", new { lineId = "L1", productOfferingId = "PLAT-ENT", catalogVersion = "2026.1", quantity = 3, discountPercent = 5 })).EnsureAccepted();
        (await Post(hs, "/quotes/Q-HS-1/price", new { policyVersion = "P-2026.1" })).EnsureAccepted();
        (await Post(hs, "/quotes/Q-HS-1/submit")).EnsureAccepted();
        Assert.Equal("Approved", (await (await hs.GetAsync("/quotes/Q-HS-1")).Json()).GetProperty("status").GetString());
        Assert.Empty(await _world.StreamAsync("approval-Q-HS-1-r1"));

        (await Post(hs, "/quotes/Q-HS-1/send", new { documentHash = "sha256:quote-pdf-hs" })).EnsureAccepted();
        (await Post(hs, "/quotes/Q-HS-1/accept", new { revision = 1, acceptanceType = "purchase-order", signer = "PO-77812" })).EnsureAccepted();
        (await Post(hs, "/quotes/Q-HS-1/order", new { billingAccount = "BA-ACME-US" })).EnsureAccepted();

        var order = await Eventually(() => _world.StreamAsync("order-ord-Q-HS-1"), e => e.Any(x => x.Type == "order-closed.v1"));
        Assert.Equal("order-closed.v1", order[^1].Type);
        var billed = (await _world.StreamAsync("billing-ord-Q-HS-1"))[1].Data;
        Assert.Equal(3705.00m, billed.GetProperty("billedAmount").GetDecimal()); // 3 × 1,300 − 5%
        Assert.Equal("USD", billed.GetProperty("currency").GetString());
    }

    public static object Draft(string quoteId, string currency, string timeZone) => new
    {
        quoteId, crmOpportunityId = $"OPP-{quoteId}", crmAccountId = "ACC-ACME", customerId = "C-ACME", owner = "dana.whitfield",
        currency, segment = "enterprise", region = "EMEA", legalEntity = "Ledger Demo GmbH", timeZone, priceBookVersion = "2026.1",
        validFrom = "2026-01-01", validUntil = "2099-12-31",
    };
}
