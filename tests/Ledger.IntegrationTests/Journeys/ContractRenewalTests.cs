using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;
using Xunit;
using static Ledger.IntegrationTests.Journeys.LedgerWorld;

namespace Ledger.IntegrationTests.Journeys;

/// <summary>
/// A contract's renewal and end are scheduled work judged by the ledger's (here: fake) clock (ADR/0021): the renewal falls
/// due the configured days before the term is over, and an evergreen contract renews itself at the end.
/// </summary>
// The contract tests run one after the other: together with the rest of the suite in parallel, one more ledger host at a time
// took the throwaway cluster past its connection limit (53300) in the full run.
[Collection("contracts")]
public sealed class ContractRenewalTests : IAsyncLifetime
{
    // Billed on January 2nd, 2025 in New York; a one-month evergreen term runs through February 1st.
    private readonly FakeClock _clock = new(Instant.FromUtc(2025, 1, 2, 15, 0));
    private LedgerWorld _world = null!;

    public async Task InitializeAsync()
    {
        _world = await StartAsync(nameof(ContractRenewalTests), services: s => s.AddSingleton<IClock>(_clock),
            settings: new Dictionary<string, string?> { ["Contracts:RenewalNoticeDays"] = "10" });
        await _world.PublishCatalogAndPolicyAsync();
        (await Post(_world.Admin, "/catalog/versions", new
        {
            version = "2025.1-monthly",
            offerings = new object[]
            {
                new { productOfferingId = "SAAS-MONTHLY", name = "Analytics seats (monthly, renews itself)", listPrices = new[] { new { currency = "USD", amount = 100.00m } },
                    subscription = new { termMonths = 1, evergreen = true } },
            },
        })).EnsureAccepted();
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task Renewal_falls_due_ten_days_before_the_end_and_an_evergreen_contract_renews_itself_when_the_clock_passes_its_end()
    {
        var hs = _world.HubSpot;
        await ContractTests.OrderWithinPolicyAsync(hs, new
        {
            quoteId = "Q-EVG", crmOpportunityId = "OPP-EVG", crmAccountId = "ACC-ACME", customerId = "C-ACME", owner = "dana.whitfield", currency = "USD",
            segment = "enterprise", region = "NA", legalEntity = "Ledger Demo Inc", timeZone = "America/New_York", priceBookVersion = "2025.1",
            validFrom = "2025-01-01", validUntil = "2099-12-31",
        }, "2025.1-monthly", ("L1", "SAAS-MONTHLY", 10, 0));

        var contract = await Eventually(() => _world.StreamAsync("contract-ctr-Q-EVG"), e => e.Count > 0, TimeSpan.FromSeconds(90));
        Assert.Equal("contract-started.v1", Assert.Single(contract).Type);
        Assert.Equal(("2025-01-02", "2025-02-01"), (contract[0].Data.GetProperty("startDate").GetString(), contract[0].Data.GetProperty("endDate").GetString()));

        // Both checks are due in real time already; the ledger's clock says neither is, so nothing is recorded.
        await Task.Delay(2500);
        Assert.Single(await _world.StreamAsync("contract-ctr-Q-EVG"));

        // Ten days before the term is over: midnight January 23rd in New York.
        _clock.Reset(Instant.FromUtc(2025, 1, 23, 5, 0, 1));
        var due = await Eventually(() => _world.StreamAsync("contract-ctr-Q-EVG"), e => e.Any(x => x.Type == "contract-renewal-due.v1"));
        Assert.Equal(["contract-started.v1", "contract-renewal-due.v1"], due.Select(e => e.Type));
        Assert.True(due[1].Data.GetProperty("evergreen").GetBoolean());

        // Midnight after February 1st in New York: the evergreen contract renews itself for the next month.
        _clock.Reset(Instant.FromUtc(2025, 2, 2, 5, 0, 1));
        var renewed = await Eventually(() => _world.StreamAsync("contract-ctr-Q-EVG"), e => e.Any(x => x.Type == "contract-renewed.v1"));
        var renewal = Assert.Single(renewed, e => e.Type == "contract-renewed.v1").Data;
        Assert.True(renewal.GetProperty("automatic").GetBoolean());
        Assert.Equal(("2025-02-02", "2025-03-01"), (renewal.GetProperty("startDate").GetString(), renewal.GetProperty("endDate").GetString()));

        var view = await (await hs.GetAsync("/contracts/ctr-Q-EVG")).EnsureAccepted().Json();
        Assert.Equal(("Active", 2, "2025-03-01"), (view.GetProperty("status").GetString(), view.GetProperty("version").GetInt32(), view.GetProperty("endDate").GetString()));
        Assert.DoesNotContain(await _world.StreamAsync("contract-ctr-Q-EVG"), e => e.Type == "contract-expired.v1");

        // The renewed term goes to billing (10 seats × 100 for the month) and billing's invoice is noted against version 2.
        var billed = (await Eventually(() => _world.StreamAsync("contract-ctr-Q-EVG"), e => e.Any(x => x.Type == "contract-change-billed.v1"), TimeSpan.FromSeconds(60)))
            .Single(e => e.Type == "contract-change-billed.v1").Data;
        Assert.Equal(("Renewal", 2, 1000.00m), (billed.GetProperty("kind").GetString(), billed.GetProperty("changeVersion").GetInt32(),
            billed.GetProperty("billedAmount").GetDecimal()));
        Assert.Equal(1000.00m, (await _world.StreamAsync("billing-ctr-Q-EVG-v2"))[0].Data.GetProperty("amount").GetDecimal());
    }
}
