using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;
using Xunit;
using static Ledger.IntegrationTests.Journeys.LedgerWorld;

namespace Ledger.IntegrationTests.Journeys;

/// <summary>
/// What a CRM shows of a contract against what the ledger made (ADR/0021, QTC-14), over real HTTP: the CRM reports its
/// contract's changes at <c>/crm/{crm}/reports/contract-states</c> (its own CRM only, ADR/0011); an amendment the CRM
/// does not show is listed once the SLA has passed by the ledger's (fake) clock, and closed when the CRM shows it.
/// </summary>
public sealed class ContractCrmReportTests : IAsyncLifetime
{
    private readonly FakeClock _clock = new(Instant.FromUtc(2026, 3, 2, 15, 0));
    private LedgerWorld _world = null!;

    public async Task InitializeAsync()
    {
        _world = await StartAsync(nameof(ContractCrmReportTests), services: s => s.AddSingleton<IClock>(_clock));
        await ContractTests.PublishSubscriptionCatalogAsync(_world);
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task Amendment_the_crm_does_not_show_is_listed_after_the_sla_and_closed_when_the_crm_shows_it()
    {
        var hs = _world.HubSpot;
        await ContractTests.OrderWithinPolicyAsync(hs, ContractTests.AcmeDraft("Q-CRMR", "2026-01-01"), "2026.2-subs", ("L1", "SAAS-SEATS", 10, 5));
        await Eventually(() => _world.StreamAsync("contract-ctr-Q-CRMR"), e => e.Count > 0, TimeSpan.FromSeconds(90));

        // Five more seats from April 1st: the ledger's version 2, an amendment.
        (await Post(hs, "/contracts/ctr-Q-CRMR/amendments", new { expectedVersion = 1, effectiveDate = "2026-04-01", lines = new[] { new { lineId = "L1", quantity = 15 } } }))
            .EnsureAccepted();
        Assert.Contains(await _world.StreamAsync("contract-ctr-Q-CRMR"), e => e.Type == "contract-amended.v1");

        // HubSpot's quote view shows the quote's contract with its amendment (the views lag commands, ADR/0014).
        var quote = await Eventually(() => JsonAsync(hs, "/crm/hubspot/quotes/Q-CRMR"),
            q => q.ValueKind == JsonValueKind.Object && q.GetProperty("contract").ValueKind == JsonValueKind.Object
                 && q.GetProperty("contract").GetProperty("version").GetInt32() == 2, TimeSpan.FromSeconds(60));
        var contract = quote.GetProperty("contract");
        Assert.Equal(("ctr-Q-CRMR", "Active", 15m), (contract.GetProperty("contractId").GetString(), contract.GetProperty("status").GetString(),
            Assert.Single(contract.GetProperty("lines").EnumerateArray()).GetProperty("quantity").GetDecimal()));
        var change = Assert.Single(contract.GetProperty("changes").EnumerateArray());
        Assert.Equal((2, "Amendment", "contract-amended.v1"), (change.GetProperty("version").GetInt32(), change.GetProperty("kind").GetString(),
            change.GetProperty("source").GetProperty("type").GetString()));
        Assert.Equal("Q-CRMR", quote.GetProperty("id").GetString());

        // Bad reports are problems naming the field, and record nothing; another CRM may not report under HubSpot's name.
        var versionOne = await Post(hs, "/crm/hubspot/reports/contract-states", new
        {
            reports = new[] { new { contractId = "ctr-Q-CRMR", changes = new[] { new { version = 1, kind = "Amendment" } }, observedAt = "2026-03-02T15:00:00Z" } },
        });
        Assert.Equal(HttpStatusCode.BadRequest, versionOne.StatusCode);
        var problem = await versionOne.Json();
        Assert.Equal(("report.version-out-of-range", "reports[0].changes[0].version"), (problem.GetProperty("code").GetString(), problem.GetProperty("field").GetString()));
        var notAContract = await Post(hs, "/crm/hubspot/reports/contract-states", new
        {
            reports = new[] { new { contractId = "Q-CRMR", changes = Array.Empty<object>(), observedAt = "2026-03-02T15:00:00Z" } },
        });
        Assert.Equal(HttpStatusCode.BadRequest, notAContract.StatusCode);
        Assert.Equal("reports[0].contractId", (await notAContract.Json()).GetProperty("field").GetString());
        Assert.Empty(await _world.StreamAsync("crm-contract-report-hubspot-ctr-Q-CRMR"));
        Assert.Equal(HttpStatusCode.Forbidden, (await Post(_world.Salesforce, "/crm/hubspot/reports/contract-states", new
        {
            reports = new[] { new { contractId = "ctr-Q-CRMR", changes = Array.Empty<object>(), observedAt = "2026-03-02T15:00:00Z" } },
        })).StatusCode);

        // HubSpot still shows the contract as started: reported, and not a discrepancy within the hour.
        var reported = await (await Post(hs, "/crm/hubspot/reports/contract-states", new
        {
            reports = new[] { new { contractId = "ctr-Q-CRMR", changes = Array.Empty<object>(), observedAt = "2026-03-02T15:00:00Z" } },
        })).EnsureAccepted().Json();
        Assert.Equal(1, reported.GetProperty("appended").GetInt32());
        // Reconciliation's contract model has taken the report (it lags commands, ADR/0014); the CRM's contract view does not
        // follow reported facts (ADR/0029): it shows none, and its last event is still the ledger's own.
        await Eventually(ReconciliationAsync, c => c?.CrmReports.Count == 1, TimeSpan.FromSeconds(60));
        var view = await Eventually(ContractViewAsync, v => v.ValueKind == JsonValueKind.Object, TimeSpan.FromSeconds(60));
        Assert.False(view.TryGetProperty("crmReports", out _));
        Assert.NotEqual("crm-contract-state-reported.v1", view.GetProperty("through").GetProperty("type").GetString());
        Assert.Empty(await Qtc14Async("open"));

        // Two hours later by the ledger's clock it is: the ledger's amendment is not in HubSpot.
        _clock.Advance(Duration.FromHours(2));
        var open = Assert.Single(await Eventually(() => Qtc14Async("open"), rows => rows.Count > 0, TimeSpan.FromSeconds(60)));
        Assert.Equal(("ctr-Q-CRMR", "High", "crm-integrations"), (open.GetProperty("subject").GetString(), open.GetProperty("severity").GetString(),
            open.GetProperty("owner").GetString()));
        Assert.Equal("the ledger's v2 amendment is not in hubspot.", open.GetProperty("detail").GetString());

        // HubSpot catches up: its next report shows the amendment, and the discrepancy closes by itself.
        (await Post(hs, "/crm/hubspot/reports/contract-states", new
        {
            reports = new[] { new { contractId = "ctr-Q-CRMR", changes = new[] { new { version = 2, kind = "Amendment" } }, observedAt = "2026-03-02T17:00:00Z" } },
        })).EnsureAccepted();
        var closed = Assert.Single(await Eventually(() => Qtc14Async("closed"), rows => rows.Count > 0, TimeSpan.FromSeconds(60)));
        Assert.Equal("crm-contract-state-reported.v1", closed.GetProperty("closedBy").GetProperty("type").GetString());
        Assert.Empty(await Qtc14Async("open"));
    }

    /// <summary>A GET's JSON body, or <c>default</c> while it is not a success (a view that has not caught up).</summary>
    internal static async Task<JsonElement> JsonAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        return response.IsSuccessStatusCode ? await response.Json() : default;
    }

    private async Task<JsonElement> ContractViewAsync()
    {
        var response = await _world.HubSpot.GetAsync("/contracts/ctr-Q-CRMR/view");
        return response.IsSuccessStatusCode ? await response.Json() : default;
    }

    private async Task<Ledger.Projections.Reconciliation.ContractReconciliation?> ReconciliationAsync()
    {
        await using var session = _world.Ledger.Services.GetRequiredService<Marten.IDocumentStore>().QuerySession();
        return await session.LoadAsync<Ledger.Projections.Reconciliation.ContractReconciliation>("ctr-Q-CRMR");
    }

    private Task<List<JsonElement>> Qtc14Async(string status) => Qtc14Async(_world, "ctr-Q-CRMR", status);

    /// <summary>The QTC-14 rows of one contract in finance's list, in one status.</summary>
    internal static async Task<List<JsonElement>> Qtc14Async(LedgerWorld world, string contractId, string status) =>
        (await (await world.Finance.GetAsync($"/reconciliation/discrepancies?rule=QTC-14&status={status}&pageSize=500")).EnsureAccepted().Json())
        .GetProperty("items").EnumerateArray().Where(r => r.GetProperty("subject").GetString() == contractId).ToList();
}
