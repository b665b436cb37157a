using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Ledger.IntegrationTests.Journeys;
using Xunit;
using YamlDotNet.RepresentationModel;
using static Ledger.IntegrationTests.Journeys.LedgerWorld;

namespace Ledger.IntegrationTests.Api;

/// <summary>
/// Runs with no other ledger host in the test process: OpenTelemetry listens to meters by name across the process, so
/// another host's meters of the same names make the Prometheus exporter drop them as duplicates (seen in a full CI run:
/// only the one static meter came through). In production one API is one process.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsAlone
{
    public const string Name = "metrics, alone in the process";
}

/// <summary>
/// The alert rules in ops/prometheus name only metrics the API exports: scraped after a journey whose billing call
/// fails once, every <c>ledger_*</c> series a rule reads is there, and the billing counter tells the failure apart.
/// </summary>
[Collection(MetricsAlone.Name)]
public sealed class AlertRulesTests : IAsyncLifetime
{
    private LedgerWorld _world = null!;

    public async Task InitializeAsync() => _world = await StartAsync(nameof(AlertRulesTests),
        settings: new Dictionary<string, string?> { ["Billing:RetryDelaysSeconds"] = "5,30,120" });

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task Every_metric_an_alert_reads_is_exported_and_a_failing_billing_call_is_counted_as_one()
    {
        var rules = AlertRules();
        Assert.Contains(rules, r => r.Alert == "LedgerBillingErrorRateHigh" && r.Expr.Contains("0.005"));
        Assert.All(rules, r =>
        {
            Assert.False(string.IsNullOrWhiteSpace(r.For), $"{r.Alert}: no 'for'");
            Assert.Contains(r.Severity, new[] { "page", "ticket" });
        });

        // Billing is unavailable for the first attempt of this order, then answers: one failed call, then answered ones.
        await _world.PublishCatalogAndPolicyAsync();
        const string quoteId = "Q-ALERTS";
        (await _world.BillingSystem.PutAsJsonAsync($"/scenarios/ord-{quoteId}", new { mode = "FailRetryable" })).EnsureSuccessStatusCode();
        var sf = _world.Salesforce;
        (await Post(sf, "/quotes", QuoteToCashJourneyTests.Draft(quoteId, "EUR", "Europe/Berlin"))).EnsureAccepted();
        (await Post(sf, $"/quotes/{quoteId}/lines", new { lineId = "L1", productOfferingId = "PLAT-ENT", catalogVersion = "2026.1", quantity = 1, discountPercent = 0 })).EnsureAccepted();
        (await Post(sf, $"/quotes/{quoteId}/price", new { })).EnsureAccepted();
        (await Post(sf, $"/quotes/{quoteId}/submit")).EnsureAccepted();
        await _world.ReactionsSettledAsync();
        (await Post(sf, $"/quotes/{quoteId}/send", new { documentHash = "sha256:doc" })).EnsureAccepted();
        (await Post(sf, $"/quotes/{quoteId}/accept", new { revision = 1, acceptanceType = "signature", signer = "Dana" })).EnsureAccepted();
        (await Post(sf, $"/quotes/{quoteId}/order", new { billingAccount = "BA-1" })).EnsureAccepted();
        await Eventually(() => _world.Ledger.Http.GetStringAsync("/metrics"), m => Sample(m, "ledger_billing_calls_total", "outcome=\"unavailable\"") > 0);
        (await _world.BillingSystem.PutAsJsonAsync($"/scenarios/ord-{quoteId}", new { mode = "Acknowledge" })).EnsureSuccessStatusCode();
        var metrics = await Eventually(() => _world.Ledger.Http.GetStringAsync("/metrics"),
            m => Sample(m, "ledger_billing_calls_total", "outcome=\"answered\"") > 0);

        Assert.True(Sample(metrics, "ledger_billing_calls_total", "call=\"send\"", "outcome=\"unavailable\"") >= 1);
        Assert.True(Sample(metrics, "ledger_billing_calls_total", "call=\"send\"", "outcome=\"answered\"") >= 1);
        var exported = metrics.Split('\n').Where(l => l.StartsWith("ledger_", StringComparison.Ordinal))
            .Select(l => Regex.Match(l, "^[a-z_]+").Value).ToHashSet();
        foreach (var rule in rules)
            foreach (var metric in Regex.Matches(rule.Expr, @"\bledger_[a-z_]+").Select(m => m.Value).Distinct())
                Assert.True(exported.Contains(metric), $"{rule.Alert} reads {metric}, which /metrics does not export: {string.Join(", ", exported.Order())}");
    }

    private sealed record AlertRule(string Alert, string Expr, string For, string Severity);

    private static List<AlertRule> AlertRules()
    {
        var path = Path.Combine(Checkout.Root, "ops", "prometheus", "ledger-alerts.yml");
        var yaml = new YamlStream();
        using (var reader = new StreamReader(path)) yaml.Load(reader);
        var groups = (YamlSequenceNode)((YamlMappingNode)yaml.Documents[0].RootNode)["groups"];
        return groups.Cast<YamlMappingNode>().SelectMany(g => ((YamlSequenceNode)g["rules"]).Cast<YamlMappingNode>())
            .Select(r => new AlertRule(Text(r, "alert"), Text(r, "expr"), Text(r, "for"), Text((YamlMappingNode)r["labels"], "severity")))
            .ToList();
        static string Text(YamlMappingNode node, string key) =>
            node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? ((YamlScalarNode)value).Value ?? "" : "";
    }

    /// <summary>The sum of a series' samples whose labels include every one given (0 when none).</summary>
    private static double Sample(string metrics, string name, params string[] labels) =>
        metrics.Split('\n').Where(l => l.StartsWith(name + "{", StringComparison.Ordinal) && labels.All(l.Contains))
            .Sum(l => double.Parse(l.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture));
}
