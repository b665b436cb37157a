using System.Text.Json;
using NodaTime;
using NodaTime.Text;
using Xunit;
using static Ledger.IntegrationTests.Journeys.LedgerWorld;

namespace Ledger.IntegrationTests.Journeys;

/// <summary>
/// Amendments up and down mid-term over HTTP in EUR (two decimals, a discount that rounds) and JPY (no decimals), each
/// prorated actual/actual over the contract's own term and checked to the minor unit against the rule computed here
/// independently (ADR/0021); the delta is what billing is handed. USD is ContractTests'.
/// </summary>
public sealed class ContractCurrencyTests : IAsyncLifetime
{
    private LedgerWorld _world = null!;

    public async Task InitializeAsync()
    {
        _world = await StartAsync(nameof(ContractCurrencyTests));
        await _world.PublishCatalogAndPolicyAsync();
        (await Post(_world.Admin, "/catalog/versions", new
        {
            version = "2026.3-intl",
            offerings = new object[]
            {
                new { productOfferingId = "SAAS-INTL", name = "Analytics seats (annual, EMEA and Japan)",
                    listPrices = new[] { new { currency = "EUR", amount = 1199.99m }, new { currency = "JPY", amount = 123457m } },
                    subscription = new { termMonths = 12, evergreen = false } },
            },
        })).EnsureAccepted();
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Theory]
    // EUR at 5%: +3 seats = 3,599.97 less 180.00 (179.9985 rounded) = 3,419.97 a term; −2 seats = −2,279.98 a term.
    [InlineData("EUR", "Europe/Berlin", 2, 10, 5, 13, "3419.97", 11, "-2279.98")]
    // JPY: +2 seats = 246,914 yen a term; −1 seat = −123,457 yen a term; every amount in whole yen.
    [InlineData("JPY", "Asia/Tokyo", 0, 3, 0, 5, "246914", 4, "-123457")]
    public async Task Amended_up_then_down_mid_term_each_delta_is_prorated_to_the_minor_unit_and_handed_to_billing(
        string currency, string zone, int decimals, int seats, int discount, int up, string upTermNet, int down, string downTermNet)
    {
        var (upTermDelta, downTermDelta) = (decimal.Parse(upTermNet, System.Globalization.CultureInfo.InvariantCulture),
            decimal.Parse(downTermNet, System.Globalization.CultureInfo.InvariantCulture));
        var hs = _world.HubSpot;
        var quoteId = $"Q-{currency}-AMD";
        var contractId = $"ctr-{quoteId}";
        await ContractTests.OrderWithinPolicyAsync(hs, QuoteToCashJourneys.Draft(quoteId, currency, zone), "2026.3-intl", ("L1", "SAAS-INTL", seats, discount));
        var started = (await Eventually(() => _world.StreamAsync($"contract-{contractId}"), e => e.Count > 0, TimeSpan.FromSeconds(90)))[0].Data;
        Assert.Equal(currency, started.GetProperty("currency").GetString());
        var (first, last) = (Date(started, "startDate"), Date(started, "endDate"));
        var daysInTerm = Period.Between(first, last, PeriodUnits.Days).Days + 1;

        // Up from 45 days after the start, then down from 100 days after it: each co-termed to the term's last day.
        var upFrom = first.PlusDays(45);
        (await Post(hs, $"/contracts/{contractId}/amendments", new { expectedVersion = 1, effectiveDate = Iso(upFrom), lines = new[] { new { lineId = "L1", quantity = up } } }))
            .EnsureAccepted();
        var downFrom = first.PlusDays(100);
        (await Post(hs, $"/contracts/{contractId}/amendments", new { expectedVersion = 2, effectiveDate = Iso(downFrom), lines = new[] { new { lineId = "L1", quantity = down } } }))
            .EnsureAccepted();

        var amended = (await _world.StreamAsync($"contract-{contractId}")).Where(e => e.Type == "contract-amended.v1").Select(e => e.Data).ToList();
        Assert.Equal(2, amended.Count);
        foreach (var (amendment, from, termDelta) in new[] { (amended[0], upFrom, upTermDelta), (amended[1], downFrom, downTermDelta) })
        {
            var daysRemaining = Period.Between(from, last, PeriodUnits.Days).Days + 1;
            var expected = Math.Round(termDelta * daysRemaining / daysInTerm, decimals, MidpointRounding.AwayFromZero);
            var change = Assert.Single(amendment.GetProperty("changes").EnumerateArray());
            Assert.Equal(termDelta, change.GetProperty("termNetDelta").GetDecimal());
            Assert.Equal((daysRemaining, daysInTerm, expected), (amendment.GetProperty("daysRemaining").GetInt32(), amendment.GetProperty("daysInTerm").GetInt32(),
                amendment.GetProperty("proratedTotal").GetDecimal()));
            Assert.Equal(expected, Math.Round(expected, decimals)); // no finer than the currency's minor unit
        }

        // Billing is handed each prorated delta (a charge, then a credit) in the contract's currency.
        foreach (var (version, amendment) in new[] { (2, amended[0]), (3, amended[1]) })
        {
            var handoff = (await Eventually(() => _world.StreamAsync($"billing-{contractId}-v{version}"), e => e.Count > 0, TimeSpan.FromSeconds(60)))[0].Data;
            Assert.Equal((amendment.GetProperty("proratedTotal").GetDecimal(), currency), (handoff.GetProperty("amount").GetDecimal(), handoff.GetProperty("currency").GetString()));
        }

        var view = await (await hs.GetAsync($"/contracts/{contractId}")).EnsureAccepted().Json();
        Assert.Equal((3, (decimal)down), (view.GetProperty("version").GetInt32(), view.GetProperty("lines")[0].GetProperty("quantity").GetDecimal()));
    }

    private static string Iso(LocalDate date) => LocalDatePattern.Iso.Format(date);

    private static LocalDate Date(JsonElement data, string name) => LocalDatePattern.Iso.Parse(data.GetProperty(name).GetString()!).Value;
}
