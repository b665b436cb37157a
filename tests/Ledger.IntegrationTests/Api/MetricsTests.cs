using System.Net;
using Ledger.IntegrationTests.Journeys;
using Xunit;
using static Ledger.IntegrationTests.Journeys.LedgerWorld;

namespace Ledger.IntegrationTests.Api;

/// <summary>/metrics tells an operator what the API and its billing calls do: rate, latency and status per route and per host.</summary>
public sealed class MetricsTests : IAsyncLifetime
{
    private LedgerWorld _world = null!;

    public async Task InitializeAsync() => _world = await StartAsync(nameof(MetricsTests));

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task Requests_are_counted_per_route_and_status_and_billing_calls_per_host_and_status()
    {
        await _world.PublishCatalogAndPolicyAsync();
        var sf = _world.Salesforce;
        (await Post(sf, "/quotes", QuoteToCashJourneyTests.Draft("Q-METRICS", "EUR", "Europe/Berlin"))).EnsureAccepted();
        (await Post(sf, "/quotes/Q-METRICS/lines", new { lineId = "L1", productOfferingId = "PLAT-ENT", catalogVersion = "2026.1", quantity = 1, discountPercent = 0 })).EnsureAccepted();
        (await Post(sf, "/quotes/Q-METRICS/price", new { })).EnsureAccepted();
        (await Post(sf, "/quotes/Q-METRICS/submit")).EnsureAccepted();
        await _world.ReactionsSettledAsync();
        (await Post(sf, "/quotes/Q-METRICS/send", new { documentHash = "sha256:doc" })).EnsureAccepted();
        (await Post(sf, "/quotes/Q-METRICS/accept", new { revision = 1, acceptanceType = "signature", signer = "Dana" })).EnsureAccepted();
        (await Post(sf, "/quotes/Q-METRICS/order", new { billingAccount = "BA-1" })).EnsureAccepted();
        Assert.Equal(HttpStatusCode.NotFound, (await sf.GetAsync("/quotes/Q-NOWHERE")).StatusCode);

        // The billing call happens in a reaction's message handler; the metric shows once it has.
        var metrics = await Eventually(() => _world.Ledger.Http.GetStringAsync("/metrics"),
            m => m.Contains("http_client_request_duration_seconds"));
        var lines = metrics.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("http_server_request_duration_seconds_count") && l.Contains("http_route=\"/quotes/{quoteId}/price\"") && l.Contains("http_response_status_code=\"200\""));
        // Latency per route as a histogram (buckets), not only a count: what a p95 alert is computed from.
        Assert.Contains(lines, l => l.StartsWith("http_server_request_duration_seconds_bucket") && l.Contains("http_route=\"/quotes/{quoteId}/price\"") && l.Contains("le=\""));
        Assert.Contains(lines, l => l.StartsWith("http_server_request_duration_seconds_count") && l.Contains("http_route=\"/quotes/{quoteId}\"") && l.Contains("http_response_status_code=\"404\""));
        Assert.Contains(lines, l => l.StartsWith("http_client_request_duration_seconds_count") && l.Contains("server_address=\"127.0.0.1\"") && l.Contains("http_response_status_code=\""));
    }
}
