using System.Net.Http.Json;
using System.Text.Json;
using NodaTime;
using NodaTime.Text;
using Xunit;
using static Ledger.IntegrationTests.Journeys.LedgerWorld;

namespace Ledger.IntegrationTests.Journeys;

/// <summary>
/// A contract's changes reach billing by the order's handoff path (ADR/0021), over real HTTP, PostgreSQL and the billing
/// simulator: an amendment up is charged, an amendment down and a cancellation credited (negative amounts), each on the
/// billing stream derived from the change; billing's answer, its retries and its deadline work as for an order, and the
/// acknowledgement is noted on the contract.
/// </summary>
public sealed class ContractBillingTests : IAsyncLifetime
{
    private LedgerWorld _world = null!;

    public async Task InitializeAsync()
    {
        // Billing has 8 s to answer a handoff: the silent cancellation below is concluded at that deadline.
        _world = await StartAsync(nameof(ContractBillingTests), billingTimeoutSeconds: 8,
            settings: new Dictionary<string, string?> { ["Billing:RetryDelaysSeconds"] = "1,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2" });
        await ContractTests.PublishSubscriptionCatalogAsync(_world);
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task Amendments_and_a_cancellation_are_billed_through_the_order_handoff_path_and_noted_on_the_contract()
    {
        var hs = _world.HubSpot;
        await ContractTests.OrderWithinPolicyAsync(hs, QuoteToCashJourneys.Draft("Q-CB-1", "USD", "America/New_York"), "2026.2-subs", ("L1", "SAAS-SEATS", 10, 5));
        var started = (await Eventually(() => _world.StreamAsync("contract-ctr-Q-CB-1"), e => e.Count > 0, TimeSpan.FromSeconds(90)))[0].Data;
        var startDate = Date(started, "startDate");
        var endDate = Date(started, "endDate");
        var daysInTerm = Period.Between(startDate, endDate, PeriodUnits.Days).Days + 1;

        // Billing is unavailable for the first amendment's handoff: the ledger sends it again until billing takes it.
        (await _world.BillingSystem.PutAsJsonAsync("/scenarios/ctr-Q-CB-1-v2", new { mode = "FailRetryable" })).EnsureSuccessStatusCode();
        var effective = startDate.PlusDays(40);
        var daysRemaining = Period.Between(effective, endDate, PeriodUnits.Days).Days + 1;
        (await Post(hs, "/contracts/ctr-Q-CB-1/amendments", new { expectedVersion = 1, effectiveDate = Iso(effective), lines = new[] { new { lineId = "L1", quantity = 14 } } }))
            .EnsureAccepted();
        var up = Math.Round(4 * 1200.00m * 0.95m * daysRemaining / daysInTerm, 2, MidpointRounding.AwayFromZero);
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(["billing-handoff-requested.v3"], (await _world.StreamAsync("billing-ctr-Q-CB-1-v2")).Select(e => e.Type));
        Assert.DoesNotContain(await _world.StreamAsync("contract-ctr-Q-CB-1"), e => e.Type == "contract-change-billed.v1");
        (await _world.BillingSystem.PutAsJsonAsync("/scenarios/ctr-Q-CB-1-v2", new { mode = "Acknowledge" })).EnsureSuccessStatusCode();

        var billedUp = await BilledAsync(2);
        Assert.Equal(("Amendment", up, up), (billedUp.GetProperty("kind").GetString(), billedUp.GetProperty("expectedAmount").GetDecimal(),
            billedUp.GetProperty("billedAmount").GetDecimal()));
        var request = (await _world.StreamAsync("billing-ctr-Q-CB-1-v2"))[0];
        Assert.Equal(up, request.Data.GetProperty("amount").GetDecimal());
        Assert.Equal("BA-ACME-US", request.Data.GetProperty("billingAccount").GetString());
        Assert.Equal("billing-ctr-Q-CB-1-v2", request.Data.GetProperty("idempotencyKey").GetString());
        Assert.Equal(2, request.Data.GetProperty("contractChange").GetProperty("contractVersion").GetInt32());
        // Caused by the amendment, in its correlation: followed from the CRM's request into billing.
        var amended = (await _world.StreamAsync("contract-ctr-Q-CB-1")).Single(e => e.Type == "contract-amended.v1");
        Assert.Equal(amended.Event.Metadata.CorrelationId, request.Event.Metadata.CorrelationId);
        Assert.Equal(amended.Event.EventId.ToString(), request.Event.Metadata.CausationId);

        // Down by six seats from the same day: a credit, handed off as a negative amount.
        (await Post(hs, "/contracts/ctr-Q-CB-1/amendments", new { expectedVersion = 2, effectiveDate = Iso(effective), lines = new[] { new { lineId = "L1", quantity = 8 } } }))
            .EnsureAccepted();
        var down = -Math.Round(6 * 1200.00m * 0.95m * daysRemaining / daysInTerm, 2, MidpointRounding.AwayFromZero);
        Assert.True(down < 0);
        Assert.Equal(down, (await BilledAsync(3)).GetProperty("billedAmount").GetDecimal());

        // Billing takes the cancellation's credit and never calls back: at the deadline the ledger asks it by key and records its answer.
        (await _world.BillingSystem.PutAsJsonAsync("/scenarios/ctr-Q-CB-1-v4", new { mode = "Silent" })).EnsureSuccessStatusCode();
        (await Post(hs, "/contracts/ctr-Q-CB-1/cancel", new { expectedVersion = 3, effectiveDate = Iso(effective), reason = "Budget cut" })).EnsureAccepted();
        var credit = -Math.Round(8 * 1200.00m * 0.95m * daysRemaining / daysInTerm, 2, MidpointRounding.AwayFromZero);
        var billedCredit = await BilledAsync(4);
        Assert.Equal(("Cancellation", credit), (billedCredit.GetProperty("kind").GetString(), billedCredit.GetProperty("billedAmount").GetDecimal()));

        // Billing holds each change once under its key, and says what it was.
        var invoices = await _world.BillingSystem.GetFromJsonAsync<JsonElement>("/invoices");
        var changes = invoices.EnumerateArray().Where(i => i.GetProperty("contractId").GetString() == "ctr-Q-CB-1")
            .Select(i => (i.GetProperty("kind").GetString(), i.GetProperty("billedAmount").GetDecimal())).ToList();
        Assert.Equal([("Amendment", up), ("Amendment", down), ("Cancellation", credit)], changes);

        // The auditor's contract timeline: the original quote, its order and billing, the contract, and each change's billing.
        var timeline = await (await _world.Auditor.GetAsync("/contracts/ctr-Q-CB-1/timeline")).EnsureAccepted().Json();
        var streams = timeline.GetProperty("streams").EnumerateArray().Select(x => x.GetString()).ToList();
        Assert.Equal(["quote-Q-CB-1", "order-ord-Q-CB-1", "billing-ord-Q-CB-1", "contract-ctr-Q-CB-1", "billing-ctr-Q-CB-1-v2", "billing-ctr-Q-CB-1-v3",
            "billing-ctr-Q-CB-1-v4"], streams.Where(x => !x!.StartsWith("crm-", StringComparison.Ordinal) && x is not ("catalog" or "pricing-policy")));
        Assert.Contains("catalog", streams); // the versions it was priced under (ADR/0013)
        var types = timeline.GetProperty("entries").EnumerateArray().Select(x => x.GetProperty("type").GetString()).ToList();
        Assert.Equal(3, types.Count(t => t == "contract-change-billed.v1"));
        Assert.True(types.IndexOf("quote-drafted.v1") < types.IndexOf("contract-started.v1") && types.IndexOf("contract-started.v1") < types.IndexOf("contract-cancelled.v1"));
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, (await _world.HubSpot.GetAsync("/contracts/ctr-Q-CB-1/timeline")).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await _world.Auditor.GetAsync("/contracts/ctr-NOPE/timeline")).StatusCode);

        // The revenue summary separates the contract's movements by whole-term value: new 10 seats, expansion by 4, contraction
        // by 6, churn of the 8 left at cancellation (1,140 a seat a term). Summed over the months the events fell in.
        var revenue = await Eventually(async () => await (await _world.Finance.GetAsync("/revenue/summary?crm=hubspot")).Json(),
            r => r.EnumerateArray().Sum(l => l.GetProperty("churn").GetDecimal()) != 0, TimeSpan.FromSeconds(60));
        var lines = revenue.EnumerateArray().Where(l => l.GetProperty("currency").GetString() == "USD").ToList();
        Assert.Equal((11_400m, 4_560m, -6_840m, 0m, -9_120m), (lines.Sum(l => l.GetProperty("new").GetDecimal()), lines.Sum(l => l.GetProperty("expansion").GetDecimal()),
            lines.Sum(l => l.GetProperty("contraction").GetDecimal()), lines.Sum(l => l.GetProperty("renewal").GetDecimal()), lines.Sum(l => l.GetProperty("churn").GetDecimal())));

        // A contract's acknowledgements close no order: the order was closed once, by its own.
        Assert.Single(await _world.StreamAsync("order-ord-Q-CB-1"), e => e.Type == "order-closed.v1");
    }

    private async Task<JsonElement> BilledAsync(int version) =>
        (await Eventually(() => _world.StreamAsync("contract-ctr-Q-CB-1"),
            e => e.Any(x => x.Type == "contract-change-billed.v1" && x.Data.GetProperty("changeVersion").GetInt32() == version), TimeSpan.FromSeconds(90)))
        .Single(x => x.Type == "contract-change-billed.v1" && x.Data.GetProperty("changeVersion").GetInt32() == version).Data;

    private static string Iso(LocalDate date) => date.ToString("yyyy-MM-dd", null);

    private static LocalDate Date(JsonElement data, string name) => LocalDatePattern.Iso.Parse(data.GetProperty(name).GetString()!).Value;
}
