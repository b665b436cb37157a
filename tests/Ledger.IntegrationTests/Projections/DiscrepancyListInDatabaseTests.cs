using System.Text.Json;
using Ledger.Domain.Reconciliation;
using Ledger.Projections.Reconciliation;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Serialization.SystemTextJson;
using Xunit;
using static Ledger.IntegrationTests.Journeys.LedgerWorld;

namespace Ledger.IntegrationTests.Projections;

/// <summary>
/// Today's discrepancy list is filtered, counted and paged in PostgreSQL (ADR/0014); the list built from the loaded views
/// (what the as-of list still does) is the reference. Over the ten-day reconciliation history, at four instants, every
/// combination of status, rule, CRM, owner and minimum age, and the pages of the whole list, must come out the same.
/// </summary>
public sealed class DiscrepancyListInDatabaseTests(ReconciliationWorld fixture) : IClassFixture<ReconciliationWorld>
{
    [Fact]
    public async Task Every_filter_and_page_lists_what_the_views_list()
    {
        var query = fixture.World.Ledger.Services.GetRequiredService<DiscrepancyQuery>();
        string?[] rules = [null, .. DiscrepancyRules.All.Select(r => r.Code), DiscrepancyRules.BilledAmountMismatch.Name];
        string?[] crms = [null, "hubspot", "salesforce", "dynamics"];
        (string? Owner, Duration? MinAge)[] narrowings = [(null, null), ("billing-ops", null), ("sales-ops", null), (null, Duration.FromHours(1)), (null, Duration.FromHours(48))];
        var compared = 0;
        var listed = 0;
        try
        {
            foreach (var now in new[] { Q2C.T0 + Duration.FromHours(2), Q2C.T0 + Duration.FromHours(60), Q2C.T0 + Duration.FromHours(100), ReconciliationHistory.Now })
            {
                fixture.Clock.Reset(now);
                foreach (var status in new[] { "open", "all", "acknowledged", "resolved", "closed" })
                foreach (var rule in rules)
                foreach (var crm in crms)
                foreach (var (owner, minAge) in narrowings)
                {
                    var filter = new DiscrepancyFilter(status, rule, crm, owner, minAge);
                    var expected = await query.ListFromDocumentsAsync(filter, 1, 500, CancellationToken.None);
                    var actual = await query.ListAsync(filter, 1, 500, CancellationToken.None);
                    Assert.True(Same(expected, actual), $"{filter} at {now}:\nviews: {Json(expected)}\nSQL:   {Json(actual)}");
                    compared++;
                    listed += expected.Total;
                }
                var all = new DiscrepancyFilter("all");
                for (var page = 1; page <= 6; page++)
                    Assert.Equal(Json(await query.ListFromDocumentsAsync(all, page, 3, CancellationToken.None)), Json(await query.ListAsync(all, page, 3, CancellationToken.None)));
            }
        }
        finally
        {
            fixture.Clock.Reset(ReconciliationHistory.Now);
        }
        // Not a comparison of empty lists: the history opens discrepancies of most rules.
        Assert.Equal(4 * 5 * rules.Length * crms.Length * narrowings.Length, compared);
        Assert.True(listed > 500, $"only {listed} rows listed in all the comparisons");
        Assert.True((await query.ListAsync(new DiscrepancyFilter("all"), 1, 500, CancellationToken.None)).Total >= 10);
    }

    private static bool Same(DiscrepancyPage a, DiscrepancyPage b) => Json(a) == Json(b);

    private static readonly JsonSerializerOptions Options = new JsonSerializerOptions().ConfigureForNodaTime(DateTimeZoneProviders.Tzdb);

    private static string Json(DiscrepancyPage page) => JsonSerializer.Serialize(page, Options);
}
