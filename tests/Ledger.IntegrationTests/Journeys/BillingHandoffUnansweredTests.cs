using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;
using NodaTime.Text;
using Xunit;
using static Ledger.IntegrationTests.Journeys.LedgerWorld;

namespace Ledger.IntegrationTests.Journeys;

/// <summary>
/// QTC-11 (billing-handoff-unanswered) over HTTP: orders placed by a CRM, billing that never answers (the simulator's
/// <c>Silent</c> scenario, or no billing system configured at all), and finance's discrepancy list. The handoff may be
/// requested after the order's answer (by a reaction), so every step waits for the quote view to show it instead of
/// assuming it is there. Where the test needs time to pass, the ledger's clock is a fake one moved by the test; the
/// ledger's billing timeout (10 minutes of real time) never runs out within a test.
/// </summary>
public sealed class BillingHandoffUnansweredTests
{
    private const string Rule = "QTC-11";

    [Fact]
    public async Task A_handoff_billing_never_answers_is_listed_once_its_hour_has_run_out_and_closes_when_billing_answers_late()
    {
        var clock = new FakeClock(SystemClock.Instance.GetCurrentInstant());
        await using var world = await StartAsync("qtc11-silent", services: s => s.AddSingleton<IClock>(clock));
        await world.PublishCatalogAndPolicyAsync();
        const string quoteId = "Q-SILENT";
        await OrderWithScenarioAsync(world, quoteId, new { mode = "Silent" });
        var requestedAt = await BillingRequestedAtAsync(world, quoteId);

        // Within the SLA (one hour by default) it is not a discrepancy, not even in the history.
        Assert.Null(await RowAsync(world, quoteId, "all"));
        clock.Reset(requestedAt + Duration.FromMinutes(59));
        Assert.Null(await RowAsync(world, quoteId, "all"));

        clock.Reset(requestedAt + Duration.FromHours(1));
        var row = await Eventually(() => RowAsync(world, quoteId, "open"), r => r is not null, TimeSpan.FromMinutes(2));
        Assert.NotNull(row);
        Assert.Equal(($"{Rule}:1:{quoteId}", "billing-handoff-unanswered", "High", "billing-ops", "Open"),
            (Text(row, "id"), Text(row, "ruleName"), Text(row, "severity"), Text(row, "owner"), Text(row, "status")));
        Assert.Equal(requestedAt + Duration.FromHours(1), InstantPattern.ExtendedIso.Parse(Text(row, "detectedAt")).Value);
        Assert.Contains($"billing-ord-{quoteId}", row.Value.GetProperty("evidence").EnumerateArray().Select(e => e.GetProperty("stream").GetString()));
        // Billing really said nothing, and the ledger's timeout did not step in: the handoff is still only requested.
        Assert.Equal(["billing-handoff-requested.v3"], (await world.StreamAsync($"billing-ord-{quoteId}")).Select(e => e.Type));

        // Billing answers two hours late: the discrepancy closes with the acknowledgement and leaves finance's list.
        clock.Advance(Duration.FromHours(1));
        await AcknowledgeAsync(world, quoteId);
        await Eventually(() => BillingProgressAsync(world, quoteId), p => p == "Acknowledged", TimeSpan.FromMinutes(2));
        var closed = await Eventually(() => RowAsync(world, quoteId, "all"), r => r is { } c && Text(c, "status") == "Closed", TimeSpan.FromMinutes(2));
        Assert.NotNull(closed);
        Assert.Equal("Closed", Text(closed, "status"));
        Assert.Equal("billing-handoff-acknowledged.v1", closed.Value.GetProperty("closedBy").GetProperty("type").GetString());
        Assert.Null(await RowAsync(world, quoteId, "open"));
    }

    [Fact]
    public async Task An_acknowledgement_within_the_hour_means_the_handoff_is_never_listed()
    {
        var clock = new FakeClock(SystemClock.Instance.GetCurrentInstant());
        await using var world = await StartAsync("qtc11-answered", services: s => s.AddSingleton<IClock>(clock));
        await world.PublishCatalogAndPolicyAsync();
        const string quoteId = "Q-ANSWERED";
        await OrderWithScenarioAsync(world, quoteId, new { mode = "Silent" });
        var requestedAt = await BillingRequestedAtAsync(world, quoteId);

        clock.Reset(requestedAt + Duration.FromMinutes(30));
        await AcknowledgeAsync(world, quoteId);
        Assert.Equal("Acknowledged", await Eventually(() => BillingProgressAsync(world, quoteId), p => p == "Acknowledged", TimeSpan.FromMinutes(2)));
        await world.ProjectionsCaughtUpAsync();

        // Well past the SLA: had the acknowledgement not closed it, it would be listed now.
        clock.Reset(requestedAt + Duration.FromHours(3));
        Assert.Null(await RowAsync(world, quoteId, "all"));
        Assert.Empty(await ListAsync(world, $"status=all&pageSize=500"));
    }

    [Fact]
    public async Task A_handoff_of_an_order_cancelled_within_the_hour_is_never_listed()
    {
        var clock = new FakeClock(SystemClock.Instance.GetCurrentInstant());
        await using var world = await StartAsync("qtc11-cancelled", services: s => s.AddSingleton<IClock>(clock));
        await world.PublishCatalogAndPolicyAsync();
        const string quoteId = "Q-CANCELLED";
        await OrderWithScenarioAsync(world, quoteId, new { mode = "Silent" });
        var requestedAt = await BillingRequestedAtAsync(world, quoteId);

        clock.Reset(requestedAt + Duration.FromMinutes(30));
        (await Post(world.Salesforce, $"/orders/ord-{quoteId}/cancel", new { reason = "Customer withdrew" })).EnsureAccepted();
        Assert.Equal("Cancelled", await Eventually(() => OrderProgressAsync(world, quoteId), p => p == "Cancelled", TimeSpan.FromMinutes(2)));
        await world.ProjectionsCaughtUpAsync();

        clock.Reset(requestedAt + Duration.FromHours(3));
        Assert.Equal("Requested", await BillingProgressAsync(world, quoteId));
        Assert.Null(await RowAsync(world, quoteId, "all"));
    }

    [Fact]
    public async Task With_no_billing_system_configured_the_handoff_is_listed_once_the_configured_sla_has_run_out()
    {
        // No Billing:Url: the handoff can never be sent, so the billing timeout never starts. 0.001 h is 3.6 s.
        await using var world = await StartAsync("qtc11-nobilling", settings: new Dictionary<string, string?>
        {
            ["Billing:Url"] = "",
            [$"Reconciliation:SlaHours:{Rule}"] = "0.001",
        });
        await world.PublishCatalogAndPolicyAsync();
        const string quoteId = "Q-NO-BILLING";
        await OrderWithScenarioAsync(world, quoteId, scenario: null);
        var requestedAt = await BillingRequestedAtAsync(world, quoteId);

        var row = await Eventually(() => RowAsync(world, quoteId, "open"), r => r is not null, TimeSpan.FromMinutes(2));
        Assert.NotNull(row);
        Assert.Equal(("billing-ops", "Open"), (Text(row, "owner"), Text(row, "status")));
        Assert.Equal(requestedAt + Duration.FromSeconds(3.6), InstantPattern.ExtendedIso.Parse(Text(row, "detectedAt")).Value);
        Assert.Equal(["billing-handoff-requested.v3"], (await world.StreamAsync($"billing-ord-{quoteId}")).Select(e => e.Type));
    }

    /// <summary>An accepted Salesforce quote (within policy), ordered after the billing simulator was told how to answer (if at all).</summary>
    private static async Task OrderWithScenarioAsync(LedgerWorld world, string quoteId, object? scenario)
    {
        if (scenario is not null) (await world.BillingSystem.PutAsJsonAsync($"/scenarios/ord-{quoteId}", scenario)).EnsureSuccessStatusCode();
        var sf = world.Salesforce;
        (await Post(sf, "/quotes", QuoteToCashJourneyTests.Draft(quoteId, "EUR", "Europe/Berlin"))).EnsureAccepted();
        (await Post(sf, $"/quotes/{quoteId}/lines", new { lineId = "L1", productOfferingId = "SUPPORT-24", catalogVersion = "2026.1", quantity = 12, discountPercent = 0 })).EnsureAccepted();
        (await Post(sf, $"/quotes/{quoteId}/price", new { })).EnsureAccepted();
        (await Post(sf, $"/quotes/{quoteId}/submit")).EnsureAccepted();
        (await Post(sf, $"/quotes/{quoteId}/send", new { documentHash = "sha256:doc" })).EnsureAccepted();
        (await Post(sf, $"/quotes/{quoteId}/accept", new { revision = 1, acceptanceType = "signature", signer = "Dana Whitfield" })).EnsureAccepted();
        (await Post(sf, $"/quotes/{quoteId}/order", new { billingAccount = "BA-ACME-EU" })).EnsureAccepted();
    }

    /// <summary>Waits until the quote view shows the handoff requested; the instant it was recorded, as the view says.</summary>
    private static async Task<Instant> BillingRequestedAtAsync(LedgerWorld world, string quoteId)
    {
        var view = await Eventually(() => ViewAsync(world, quoteId), v => Progress(v, "billing") == "Requested", TimeSpan.FromMinutes(2));
        Assert.Equal("Requested", Progress(view, "billing"));
        return InstantPattern.ExtendedIso.Parse(view!.Value.GetProperty("billing").GetProperty("source").GetProperty("at").GetString()!).Value;
    }

    /// <summary>Billing's acknowledgement of the amount it was asked to bill, sent the way the billing system sends it.</summary>
    private static async Task AcknowledgeAsync(LedgerWorld world, string quoteId)
    {
        var request = (await world.StreamAsync($"billing-ord-{quoteId}")).Single(e => e.Type == "billing-handoff-requested.v3").Data;
        (await Post(world.Billing, $"/orders/ord-{quoteId}/billing/acknowledgements", new
        {
            billingReference = $"INV-{quoteId}", billedAmount = request.GetProperty("amount").GetDecimal(), currency = request.GetProperty("currency").GetString(),
        })).EnsureAccepted();
    }

    private static async Task<string?> BillingProgressAsync(LedgerWorld world, string quoteId) => Progress(await ViewAsync(world, quoteId), "billing");

    private static async Task<string?> OrderProgressAsync(LedgerWorld world, string quoteId) => Progress(await ViewAsync(world, quoteId), "order");

    /// <summary>The quote as its CRM's view shows it; null while the view does not hold it yet.</summary>
    private static async Task<JsonElement?> ViewAsync(LedgerWorld world, string quoteId)
    {
        var response = await world.Salesforce.GetAsync($"/crm/salesforce/quotes/{quoteId}");
        return response.StatusCode == System.Net.HttpStatusCode.NotFound ? null : await response.EnsureAccepted().Json();
    }

    private static string? Progress(JsonElement? view, string value) =>
        view is { } v && v.TryGetProperty(value, out var sourced) && sourced.ValueKind == JsonValueKind.Object
            ? sourced.GetProperty("value").GetProperty("progress").GetString()
            : null;

    /// <summary>The quote's QTC-11 row in finance's list with the status filter given, or null.</summary>
    private static async Task<JsonElement?> RowAsync(LedgerWorld world, string quoteId, string status) =>
        (await ListAsync(world, $"rule={Rule}&status={status}&pageSize=500")).Where(r => r.GetProperty("subject").GetString() == quoteId)
            .Select(r => (JsonElement?)r).SingleOrDefault();

    private static async Task<List<JsonElement>> ListAsync(LedgerWorld world, string query) =>
        (await (await world.Finance.GetAsync($"/reconciliation/discrepancies?{query}")).EnsureAccepted().Json()).GetProperty("items").EnumerateArray().ToList();

    private static string Text(JsonElement? row, string property) => row!.Value.GetProperty(property).GetString()!;
}
