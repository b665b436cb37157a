using System.Text.Json;
using Ledger.IntegrationTests.Crm;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;
using Xunit;
using static Ledger.IntegrationTests.Journeys.LedgerWorld;

namespace Ledger.IntegrationTests.Journeys;

/// <summary>
/// A CRM that never calls the ledger is still reconciled (ADR/0021): the ledger pulls its contract states every second from
/// the address configured for it (a fake CRM on a real Kestrel listener, with a bearer token), records them as that CRM's
/// reports, and QTC-14 compares them as it compares posted ones.
/// </summary>
public sealed class ContractCrmReportPullTests : IAsyncLifetime
{
    private const string Token = "hubspot-pull-token";
    private readonly FakeClock _clock = new(Instant.FromUtc(2026, 3, 2, 15, 0));
    private FakeCrmContractStates _crm = null!;
    private LedgerWorld _world = null!;

    public async Task InitializeAsync()
    {
        _crm = await FakeCrmContractStates.StartAsync(Token);
        _world = await StartAsync(nameof(ContractCrmReportPullTests), services: s => s.AddSingleton<IClock>(_clock), settings: new Dictionary<string, string?>
        {
            ["Ledger:CrmReportPull:Sources:hubspot:Url"] = _crm.Url.ToString(),
            ["Ledger:CrmReportPull:Sources:hubspot:Token"] = Token,
            ["Ledger:CrmReportPull:IntervalSeconds"] = "1",
        });
        await ContractTests.PublishSubscriptionCatalogAsync(_world);
    }

    public async Task DisposeAsync()
    {
        await _world.DisposeAsync();
        await _crm.DisposeAsync();
    }

    [Fact]
    public async Task Contract_states_pulled_from_a_crm_are_recorded_as_its_reports_and_an_amendment_it_lacks_is_listed_acknowledged_by_finance_and_closed_when_it_shows_it()
    {
        var hs = _world.HubSpot;
        await ContractTests.OrderWithinPolicyAsync(hs, ContractTests.AcmeDraft("Q-PULL", "2026-01-01"), "2026.2-subs", ("L1", "SAAS-SEATS", 10, 5));
        await Eventually(() => _world.StreamAsync("contract-ctr-Q-PULL"), e => e.Count > 0, TimeSpan.FromSeconds(90));
        (await Post(hs, "/contracts/ctr-Q-PULL/amendments", new { expectedVersion = 1, effectiveDate = "2026-04-01", lines = new[] { new { lineId = "L1", quantity = 15 } } }))
            .EnsureAccepted();

        // The ledger asks on its own, with the CRM's token: a CRM answering with no contracts records nothing.
        await Eventually(() => Task.FromResult(_crm.Authorizations), a => a.Count >= 2, TimeSpan.FromSeconds(30));
        Assert.All(_crm.Authorizations, a => Assert.Equal($"Bearer {Token}", a));
        Assert.Empty(await _world.StreamAsync("crm-contract-report-hubspot-ctr-Q-PULL"));

        // HubSpot shows the contract as started, beside an id that is no contract: the first is recorded, the second refused alone.
        _crm.Body = States(("ctr-Q-PULL", "2026-03-02T15:00:00Z", []), ("Q-PULL", "2026-03-02T15:00:00Z", []));
        var reported = Assert.Single(await Eventually(() => _world.StreamAsync("crm-contract-report-hubspot-ctr-Q-PULL"), e => e.Count > 0, TimeSpan.FromSeconds(30)));
        Assert.Equal("crm-contract-state-reported.v1", reported.Type);
        Assert.Equal(("hubspot", "ctr-Q-PULL", 0), (reported.Data.GetProperty("crm").GetString(), reported.Data.GetProperty("contractId").GetString(),
            reported.Data.GetProperty("changes").GetArrayLength()));
        // What the CRM shows, fetched by the ledger: HubSpot is the source system, the ledger the actor.
        Assert.Equal(("ledger", "hubspot"), (reported.Event.Metadata.Actor, reported.Event.Metadata.SourceSystem));
        Assert.Empty(await _world.StreamAsync("crm-contract-report-hubspot-Q-PULL"));

        // Pulled again and again, the same observation records nothing more.
        var pulls = _crm.Authorizations.Count;
        await Eventually(() => Task.FromResult(_crm.Authorizations), a => a.Count >= pulls + 3, TimeSpan.FromSeconds(30));
        Assert.Single(await _world.StreamAsync("crm-contract-report-hubspot-ctr-Q-PULL"));

        // Two hours later by the ledger's clock, the ledger's amendment (version 2) is still not in HubSpot: QTC-14.
        _clock.Advance(Duration.FromHours(2));
        var open = Assert.Single(await Eventually(() => Qtc14Async("open"), rows => rows.Count > 0, TimeSpan.FromSeconds(60)));
        Assert.Equal("the ledger's v2 amendment is not in hubspot.", open.GetProperty("detail").GetString());

        // Finance clears it as any finding: acknowledged on its own stream, shown so on the contract's finding (the view lags).
        var id = open.GetProperty("id").GetString()!;
        (await Post(_world.Finance, $"/reconciliation/discrepancies/{Uri.EscapeDataString(id)}/acknowledge", new { note = "HubSpot sync job is down; CRM team paged" }))
            .EnsureAccepted();
        var acknowledged = Assert.Single(await Eventually(() => Qtc14Async("acknowledged"), rows => rows.Count > 0, TimeSpan.FromSeconds(60)));
        Assert.Equal(id, acknowledged.GetProperty("id").GetString());
        Assert.Equal("discrepancy-acknowledged.v1", acknowledged.GetProperty("acknowledgedBy").GetProperty("type").GetString());

        // While HubSpot fails, nothing is recorded and the ledger keeps asking.
        _crm.Status = 503;
        pulls = _crm.Authorizations.Count;
        await Eventually(() => Task.FromResult(_crm.Authorizations), a => a.Count >= pulls + 2, TimeSpan.FromSeconds(30));
        Assert.Single(await _world.StreamAsync("crm-contract-report-hubspot-ctr-Q-PULL"));

        // HubSpot recovers and shows the amendment: the next pull records it and the discrepancy closes by itself.
        _crm.Body = States(("ctr-Q-PULL", "2026-03-02T17:00:00Z", [(2, "Amendment")]));
        _crm.Status = null;
        var closed = Assert.Single(await Eventually(() => Qtc14Async("closed"), rows => rows.Count > 0, TimeSpan.FromSeconds(60)));
        Assert.Equal("crm-contract-state-reported.v1", closed.GetProperty("closedBy").GetProperty("type").GetString());
        Assert.Equal(2, (await _world.StreamAsync("crm-contract-report-hubspot-ctr-Q-PULL")).Count);
        Assert.Empty(await Qtc14Async("open"));
        Assert.Equal(id, closed.GetProperty("id").GetString());
    }

    private static string States(params (string ContractId, string ObservedAt, (int Version, string Kind)[] Changes)[] reports) =>
        JsonSerializer.Serialize(new
        {
            reports = reports.Select(r => new { contractId = r.ContractId, changes = r.Changes.Select(c => new { version = c.Version, kind = c.Kind }), observedAt = r.ObservedAt }),
        });

    private Task<List<JsonElement>> Qtc14Async(string status) => ContractCrmReportTests.Qtc14Async(_world, "ctr-Q-PULL", status);
}
