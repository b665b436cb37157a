using System.Net;
using System.Text.Json;
using NodaTime;
using NodaTime.Text;
using Xunit;
using static Ledger.IntegrationTests.Journeys.LedgerWorld;

namespace Ledger.IntegrationTests.Journeys;

/// <summary>
/// An amendment's delta goes through the pricing policy as a quote does (ADR/0021): a line added at 25% off waits for the
/// deal desk and a VP on its own approval stream, decided through the approvers' endpoints and queue; once approved it
/// is recorded and billed. Over real HTTP, PostgreSQL and the billing simulator.
/// </summary>
public sealed class ContractAmendmentApprovalTests : IAsyncLifetime
{
    private LedgerWorld _world = null!;

    public async Task InitializeAsync()
    {
        _world = await StartAsync(nameof(ContractAmendmentApprovalTests));
        await ContractTests.PublishSubscriptionCatalogAsync(_world);
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task A_discounted_addition_waits_for_its_levels_and_is_recorded_and_billed_once_approved()
    {
        var hs = _world.HubSpot;
        await ContractTests.OrderWithinPolicyAsync(hs, QuoteToCashJourneys.Draft("Q-AP-1", "USD", "America/New_York"), "2026.2-subs", ("L1", "SAAS-SEATS", 10, 5));
        var started = (await Eventually(() => _world.StreamAsync("contract-ctr-Q-AP-1"), e => e.Count > 0, TimeSpan.FromSeconds(90)))[0].Data;
        var effective = LocalDatePattern.Iso.Parse(started.GetProperty("startDate").GetString()!).Value.PlusDays(20).ToString("yyyy-MM-dd", null);

        // Four seats more on a new line at 25% off: above the deal desk's 10% and the VP's 20% of policy P-2026.1.
        var proposed = await (await Post(hs, "/contracts/ctr-Q-AP-1/amendments", new
        {
            expectedVersion = 1, effectiveDate = effective,
            lines = new[] { new { lineId = "L9", quantity = 4, productOfferingId = "SAAS-SEATS", catalogVersion = "2026.2-subs", discountPercent = 25m } },
        })).EnsureAccepted().Json();
        Assert.Equal(["contract-amendment-proposed.v1"], proposed.GetProperty("events").EnumerateArray().Select(e => e.GetString()));
        var approval = await Eventually(() => _world.StreamAsync("approval-ctr-Q-AP-1-r2"), e => e.Count > 0);
        Assert.Equal(["DealDesk", "VicePresident"], approval[0].Data.GetProperty("levels").EnumerateArray().Select(l => l.GetString()));

        // Terms unchanged while it waits; another amendment waits too; the contract's CRM alone may amend it.
        var view = await (await hs.GetAsync("/contracts/ctr-Q-AP-1")).EnsureAccepted().Json();
        Assert.Equal((1, 1), (view.GetProperty("version").GetInt32(), view.GetProperty("lines").GetArrayLength()));
        Assert.Equal(["DealDesk", "VicePresident"], view.GetProperty("proposedAmendment").GetProperty("requiredLevels").EnumerateArray().Select(l => l.GetString()));
        var second = await Post(hs, "/contracts/ctr-Q-AP-1/amendments", new { expectedVersion = 1, effectiveDate = effective, lines = new[] { new { lineId = "L1", quantity = 11 } } });
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal("contract.amendment-pending", (await second.Json()).GetProperty("code").GetString());

        // The approvers' queue shows it; each level is granted through the approvers' endpoint.
        await Eventually(async () => await (await _world.Approver.GetAsync("/approvals/queue")).Content.ReadAsStringAsync(), q => q.Contains("ctr-Q-AP-1"));
        (await Post(_world.Approver, "/approvals/ctr-Q-AP-1/2/grant", new { level = "DealDesk", approver = "dave.dealdesk" })).EnsureAccepted();
        await Task.Delay(1500);
        Assert.DoesNotContain(await _world.StreamAsync("contract-ctr-Q-AP-1"), e => e.Type == "contract-amended.v1"); // the VP has not approved yet
        (await Post(_world.Approver, "/approvals/ctr-Q-AP-1/2/grant", new { level = "VicePresident", approver = "vera.vp" })).EnsureAccepted();

        var contract = await Eventually(() => _world.StreamAsync("contract-ctr-Q-AP-1"), e => e.Any(x => x.Type == "contract-change-billed.v1"), TimeSpan.FromSeconds(60));
        var amended = Assert.Single(contract, e => e.Type == "contract-amended.v1").Data;
        var change = Assert.Single(amended.GetProperty("changes").EnumerateArray());
        Assert.Equal(("L9", 25m, 3600.00m), (change.GetProperty("lineId").GetString(), change.GetProperty("discountPercent").GetDecimal(),
            change.GetProperty("termNetDelta").GetDecimal())); // 4 × 1,200 − 25%
        Assert.Equal(amended.GetProperty("proratedTotal").GetDecimal(), contract.Single(e => e.Type == "contract-change-billed.v1").Data.GetProperty("billedAmount").GetDecimal());
        var after = await (await hs.GetAsync("/contracts/ctr-Q-AP-1")).EnsureAccepted().Json();
        Assert.Equal((2, 2), (after.GetProperty("version").GetInt32(), after.GetProperty("lines").GetArrayLength()));

        // The contract's read model catches up: the amendment, its billing acknowledged, the expansion; other CRMs cannot read it.
        var read = await Eventually(async () => await _world.HubSpot.GetAsync("/contracts/ctr-Q-AP-1/view"),
            r => r.StatusCode == HttpStatusCode.OK && r.Content.ReadAsStringAsync().Result.Contains("\"acknowledgedBy\":{"), TimeSpan.FromSeconds(60));
        var contractView = await read.EnsureAccepted().Json();
        Assert.Equal(2, contractView.GetProperty("contractVersion").GetInt32());
        var billedChange = Assert.Single(contractView.GetProperty("changes").EnumerateArray());
        Assert.Equal(amended.GetProperty("proratedTotal").GetDecimal(), billedChange.GetProperty("acknowledged").GetProperty("value").GetDecimal());
        Assert.Equal(["New", "Expansion"], contractView.GetProperty("movements").EnumerateArray().Select(m => m.GetProperty("kind").GetString()));
        Assert.Equal(HttpStatusCode.Forbidden, (await _world.Salesforce.GetAsync("/contracts/ctr-Q-AP-1/view")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _world.HubSpot.GetAsync("/contracts/ctr-NOPE/view")).StatusCode);

        // The amendment's approval stream and its billing are on the contract's timeline for auditors, and their chains verify.
        var timeline = await (await _world.Auditor.GetAsync("/contracts/ctr-Q-AP-1/timeline")).EnsureAccepted().Json();
        var streams = timeline.GetProperty("streams").EnumerateArray().Select(x => x.GetString()).ToList();
        Assert.Contains("approval-ctr-Q-AP-1-r2", streams);
        Assert.Contains("billing-ctr-Q-AP-1-v2", streams);
        var verified = await (await _world.Auditor.GetAsync("/quotes/Q-AP-1/timeline/verify")).EnsureAccepted().Json();
        Assert.True(verified.GetProperty("intact").GetBoolean());
        Assert.Contains("approval-ctr-Q-AP-1-r2", verified.GetProperty("streams").GetRawText());
    }
}
