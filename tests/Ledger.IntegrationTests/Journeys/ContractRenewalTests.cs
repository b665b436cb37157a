using System.Net;
using System.Text.Json;
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
                new { productOfferingId = "SAAS-FIXED", name = "Analytics seats (monthly, renewed by quote)", listPrices = new[] { new { currency = "USD", amount = 99.99m } },
                    subscription = new { termMonths = 1, evergreen = false } },
            },
        })).EnsureAccepted();
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task Renewal_falls_due_ten_days_before_the_end_and_an_evergreen_contract_renews_itself_when_the_clock_passes_its_end()
    {
        var hs = _world.HubSpot;
        await ContractTests.OrderWithinPolicyAsync(hs, ContractTests.AcmeDraft("Q-EVG", "2025-01-01"), "2025.1-monthly", ("L1", "SAAS-MONTHLY", 10, 0));

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

    [Fact]
    public async Task Renewal_quote_is_drafted_with_the_policys_uplift_amended_by_the_crm_its_billed_order_renews_the_same_contract_shown_on_its_crm_view_and_the_next_renewal_uplifts_the_renewed_price()
    {
        var hs = _world.HubSpot;
        // The newest policy raises renewals by 7%.
        (await Post(_world.Admin, "/pricing-policies", new
        {
            version = "P-2026.2-renewals",
            defaults = new { dealDeskAboveDiscountPercent = 10m, vicePresidentAboveDiscountPercent = 20m, cfoAboveDiscountPercent = 30m,
                cfoAboveNetTotal = new[] { new { currency = "USD", amount = 550000m } } },
            renewalUpliftPercent = 7m,
        })).EnsureAccepted();
        await ContractTests.OrderWithinPolicyAsync(hs, ContractTests.AcmeDraft("Q-RQ", "2025-01-01"), "2025.1-monthly", ("L1", "SAAS-FIXED", 10, 5));
        await Eventually(() => _world.StreamAsync("contract-ctr-Q-RQ"), e => e.Count > 0, TimeSpan.FromSeconds(90));

        // Nothing is drafted before the notice period begins by the ledger's clock.
        await Task.Delay(2500);
        Assert.Empty(await _world.StreamAsync("quote-Q-RQ-RN2"));

        // Ten days before the term is over: the renewal falls due and its quote is drafted, lines at the uplifted price.
        _clock.Reset(Instant.FromUtc(2025, 1, 23, 5, 0, 1));
        var contract = await Eventually(() => _world.StreamAsync("contract-ctr-Q-RQ"), e => e.Any(x => x.Type == "contract-renewal-quoted.v1"), TimeSpan.FromSeconds(60));
        var quoted = contract.Single(e => e.Type == "contract-renewal-quoted.v1").Data;
        Assert.Equal(("Q-RQ-RN2", 7m, "2025-02-01"), (quoted.GetProperty("renewalQuoteId").GetString(), quoted.GetProperty("upliftPercent").GetDecimal(),
            quoted.GetProperty("endDate").GetString()));
        var renewal = await _world.StreamAsync("quote-Q-RQ-RN2");
        Assert.Equal(["quote-drafted.v1", "quote-line-added.v1"], renewal.Select(e => e.Type));
        var drafted = renewal[0].Data;
        Assert.Equal(("hubspot", "C-ACME", "2025-01-23", "2025-02-01"), (drafted.GetProperty("sourceCrm").GetString(), drafted.GetProperty("customerId").GetString(),
            drafted.GetProperty("validFrom").GetString(), drafted.GetProperty("validUntil").GetString()));
        var line = renewal[1].Data.GetProperty("line");
        Assert.Equal((10m, 106.99m, 5m), (line.GetProperty("quantity").GetDecimal(), line.GetProperty("listPrice").GetDecimal(), line.GetProperty("discountPercent").GetDecimal()));

        // The draft is the CRM's: it changes the quantity and prices it before anything is sent.
        (await Post(hs, "/quotes/Q-RQ-RN2/lines/L1/change", new { quantity = 12, discountPercent = 5 })).EnsureAccepted();
        var priced = await (await Post(hs, "/quotes/Q-RQ-RN2/price", new { policyVersion = "P-2026.2-renewals" })).EnsureAccepted().Json();
        Assert.Contains("quote-priced.v1", priced.GetProperty("events").EnumerateArray().Select(e => e.GetString()));
        var snapshot = (await _world.StreamAsync("quote-Q-RQ-RN2")).Single(e => e.Type == "quote-priced.v1").Data.GetProperty("snapshot");
        Assert.Equal(1219.69m, snapshot.GetProperty("netTotal").GetDecimal()); // 12 × 106.99 = 1,283.88, less 5% (64.19)
        Assert.Equal(HttpStatusCode.Forbidden, (await Post(_world.Salesforce, "/quotes/Q-RQ-RN2/lines/L1/change", new { quantity = 3, discountPercent = 0 })).StatusCode);

        // The renewal check and the draft are not repeated by a redelivery: one draft, one line change, one note.
        await Task.Delay(2000);
        Assert.Single(await _world.StreamAsync("contract-ctr-Q-RQ"), e => e.Type == "contract-renewal-quoted.v1");
        Assert.Single(await _world.StreamAsync("quote-Q-RQ-RN2"), e => e.Type == "quote-drafted.v1");

        // The CRM sends it, the customer accepts it and it is ordered: billing bills the order (the renewal term, 1,219.69),
        // and its acknowledgement renews the original contract from February 2nd instead of starting another (ADR/0021).
        (await Post(hs, "/quotes/Q-RQ-RN2/submit")).EnsureAccepted();
        (await Post(hs, "/quotes/Q-RQ-RN2/send", new { documentHash = "sha256:Q-RQ-RN2" })).EnsureAccepted();
        var revision = (await (await hs.GetAsync("/quotes/Q-RQ-RN2")).EnsureAccepted().Json()).GetProperty("revision").GetInt32();
        (await Post(hs, "/quotes/Q-RQ-RN2/accept", new { revision, acceptanceType = "signature", signer = "Dana Whitfield" })).EnsureAccepted();
        (await Post(hs, "/quotes/Q-RQ-RN2/order", new { billingAccount = "BA-ACME-US" })).EnsureAccepted();

        var renewedStream = await Eventually(() => _world.StreamAsync("contract-ctr-Q-RQ"), e => e.Any(x => x.Type == "contract-renewed-by-quote.v1"),
            TimeSpan.FromSeconds(90));
        var renewedByQuote = renewedStream.Single(e => e.Type == "contract-renewed-by-quote.v1").Data;
        Assert.Equal((2, "2025-02-01", "2025-02-02", "2025-03-01", "Q-RQ-RN2", "ord-Q-RQ-RN2", 7m, 1219.69m),
            (renewedByQuote.GetProperty("version").GetInt32(), renewedByQuote.GetProperty("previousEndDate").GetString(),
                renewedByQuote.GetProperty("startDate").GetString(), renewedByQuote.GetProperty("endDate").GetString(),
                renewedByQuote.GetProperty("quoteId").GetString(), renewedByQuote.GetProperty("orderId").GetString(),
                renewedByQuote.GetProperty("upliftPercent").GetDecimal(), renewedByQuote.GetProperty("termNetTotal").GetDecimal()));
        var renewedLine = Assert.Single(renewedByQuote.GetProperty("lines").EnumerateArray());
        Assert.Equal((12m, 106.99m, 5m, 1219.69m), (renewedLine.GetProperty("quantity").GetDecimal(), renewedLine.GetProperty("listPrice").GetDecimal(),
            renewedLine.GetProperty("discountPercent").GetDecimal(), renewedLine.GetProperty("termNetAmount").GetDecimal()));

        // Billing holds the renewal term once: the order's handoff, whose reference the renewal notes; no contract handoff and no second contract.
        var orderHandoff = (await _world.StreamAsync("billing-ord-Q-RQ-RN2")).Single(e => e.Type == "billing-handoff-acknowledged.v1").Data;
        Assert.Equal(orderHandoff.GetProperty("billingReference").GetString(), renewedByQuote.GetProperty("billingReference").GetString());
        Assert.Equal(1219.69m, (await _world.StreamAsync("billing-ord-Q-RQ-RN2"))[0].Data.GetProperty("amount").GetDecimal());
        Assert.Empty(await _world.StreamAsync("billing-ctr-Q-RQ-v2"));
        Assert.Empty(await _world.StreamAsync("contract-ctr-Q-RQ-RN2"));

        var view = await (await hs.GetAsync("/contracts/ctr-Q-RQ")).EnsureAccepted().Json();
        Assert.Equal(("Active", 2, "2025-03-01"), (view.GetProperty("status").GetString(), view.GetProperty("version").GetInt32(), view.GetProperty("endDate").GetString()));

        // HubSpot's view of the renewal quote shows the contract it renewed and the term its order made (the views lag, ADR/0014);
        // the original quote's view shows the contract it started.
        var renewalQuoteView = await Eventually(() => ContractCrmReportTests.JsonAsync(hs, "/crm/hubspot/quotes/Q-RQ-RN2"),
            q => q.ValueKind == JsonValueKind.Object && q.GetProperty("contract").ValueKind == JsonValueKind.Object
                 && q.GetProperty("contract").GetProperty("link").GetString() == "Renewed", TimeSpan.FromSeconds(60));
        var renewedContract = renewalQuoteView.GetProperty("contract");
        Assert.Equal(("ctr-Q-RQ", 2, "2025-03-01"), (renewedContract.GetProperty("contractId").GetString(), renewedContract.GetProperty("version").GetInt32(),
            renewedContract.GetProperty("endDate").GetString()));
        var renewedTerm = renewedContract.GetProperty("renewedTerm");
        Assert.Equal((2, "2025-02-02", "2025-03-01", "ord-Q-RQ-RN2"), (renewedTerm.GetProperty("version").GetInt32(), renewedTerm.GetProperty("startDate").GetString(),
            renewedTerm.GetProperty("endDate").GetString(), renewedTerm.GetProperty("orderId").GetString()));
        Assert.Equal((2, "Renewal"), (Assert.Single(renewedContract.GetProperty("changes").EnumerateArray()).GetProperty("version").GetInt32(),
            renewedContract.GetProperty("changes")[0].GetProperty("kind").GetString()));
        var originalView = (await ContractCrmReportTests.JsonAsync(hs, "/crm/hubspot/quotes/Q-RQ")).GetProperty("contract");
        Assert.Equal(("ctr-Q-RQ", "Started", JsonValueKind.Null), (originalView.GetProperty("contractId").GetString(), originalView.GetProperty("link").GetString(),
            originalView.GetProperty("renewedTerm").ValueKind));

        // Ten days before the renewed term is over (midnight February 20th in New York) the next renewal quote is drafted: its
        // line raises the renewed term's price (106.99, which carries the first 7%) by 7% once more, to 114.48, at the
        // renewed quantity — not the catalog's 99.99 raised again to 106.99 (ADR/0021).
        _clock.Reset(Instant.FromUtc(2025, 2, 20, 5, 0, 1));
        var third = await Eventually(() => _world.StreamAsync("contract-ctr-Q-RQ"), e => e.Count(x => x.Type == "contract-renewal-quoted.v1") == 2, TimeSpan.FromSeconds(60));
        Assert.Equal("Q-RQ-RN3", third.Last(e => e.Type == "contract-renewal-quoted.v1").Data.GetProperty("renewalQuoteId").GetString());
        var nextLine = (await _world.StreamAsync("quote-Q-RQ-RN3")).Single(e => e.Type == "quote-line-added.v1").Data.GetProperty("line");
        Assert.Equal((12m, 114.48m, 5m), (nextLine.GetProperty("quantity").GetDecimal(), nextLine.GetProperty("listPrice").GetDecimal(),
            nextLine.GetProperty("discountPercent").GetDecimal()));

        // Before it is ordered, its CRM view already names the contract it would renew, with no renewed term yet.
        var quotedView = await Eventually(() => ContractCrmReportTests.JsonAsync(hs, "/crm/hubspot/quotes/Q-RQ-RN3"),
            q => q.ValueKind == JsonValueKind.Object && q.GetProperty("contract").ValueKind == JsonValueKind.Object, TimeSpan.FromSeconds(60));
        Assert.Equal(("ctr-Q-RQ", "RenewalQuoted", JsonValueKind.Null), (quotedView.GetProperty("contract").GetProperty("contractId").GetString(),
            quotedView.GetProperty("contract").GetProperty("link").GetString(), quotedView.GetProperty("contract").GetProperty("renewedTerm").ValueKind));
    }
}
