using Ledger.Api.Reconciliation;
using Ledger.Projections.Contracts;
using Ledger.Projections.Customers;
using Ledger.Projections.Quotes;
using Ledger.Projections.Reconciliation;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Npgsql;
using Xunit;
using static Ledger.IntegrationTests.Journeys.LedgerWorld;

namespace Ledger.IntegrationTests.Projections;

/// <summary>
/// The CSV export streams from the occurrences' index (ADR/0014). Over the ten-day reconciliation history, at four
/// instants and for each kind of filter, the CSV the API sends holds every row the list built from the loaded views
/// holds, byte for byte; and the index itself follows the views: one row per occurrence, and one per CRM it names, also
/// after a view is deleted and written again, and kept by the daemon's batches alone (the row triggers off), rewriting only
/// the rows of the occurrences a write changed.
/// </summary>
public sealed class DiscrepancyCsvTests(ReconciliationWorld fixture) : IClassFixture<ReconciliationWorld>
{
    [Fact]
    public async Task The_csv_holds_every_row_the_views_list()
    {
        var query = fixture.World.Ledger.Services.GetRequiredService<DiscrepancyQuery>();
        (string Query, DiscrepancyFilter Filter)[] filters =
        [
            ("", new DiscrepancyFilter()), ("status=all", new DiscrepancyFilter("all")), ("status=closed", new DiscrepancyFilter("closed")),
            ("status=resolved", new DiscrepancyFilter("resolved")), ("crm=hubspot", new DiscrepancyFilter(Crm: "hubspot")),
            ("status=all&rule=QTC-05", new DiscrepancyFilter("all", Rule: "QTC-05")), ("status=all&owner=billing-ops", new DiscrepancyFilter("all", Owner: "billing-ops")),
            ("status=all&minAgeHours=48", new DiscrepancyFilter("all", MinAge: Duration.FromHours(48))),
        ];
        var rows = 0;
        try
        {
            foreach (var now in new[] { Q2C.T0 + Duration.FromHours(2), Q2C.T0 + Duration.FromHours(60), Q2C.T0 + Duration.FromHours(100), ReconciliationHistory.Now })
            {
                fixture.Clock.Reset(now);
                foreach (var (parameters, filter) in filters)
                {
                    var expected = (await query.ListFromDocumentsAsync(filter, 1, int.MaxValue, CancellationToken.None)).Items;
                    using var response = await fixture.World.Finance.GetAsync($"/reconciliation/discrepancies?format=csv&{parameters}");
                    Assert.Equal("text/csv", response.EnsureSuccessStatusCode().Content.Headers.ContentType?.MediaType);
                    Assert.Equal(DiscrepancyEndpoints.Csv(expected), await response.Content.ReadAsStringAsync());
                    rows += expected.Count;
                }
            }
        }
        finally
        {
            fixture.Clock.Reset(ReconciliationHistory.Now);
        }
        Assert.True(rows > 100, $"only {rows} rows compared");
    }

    [Fact]
    public async Task The_index_holds_a_row_per_occurrence_and_follows_a_view_deleted_and_written_again()
    {
        var store = fixture.Store;
        var occurrences = await OccurrencesAsync(store);
        Assert.True(occurrences.Count > 10, $"only {occurrences.Count} occurrences in the history");
        Assert.Equal(occurrences, await IndexedAsync(store));

        await using var session = store.LightweightSession();
        var view = (await session.Query<QuoteReconciliation>().Where(v => v.Discrepancies.Any()).ToListAsync()).OrderBy(v => v.Id, StringComparer.Ordinal).First();
        session.Delete(view);
        await session.SaveChangesAsync();
        Assert.Equal(occurrences.Where(o => o.ViewId != view.Id).ToList(), await IndexedAsync(store));

        session.Store(view);
        await session.SaveChangesAsync();
        Assert.Equal(occurrences, await IndexedAsync(store));
    }

    [Fact]
    public async Task The_daemon_keeps_the_index_for_its_batches_with_the_row_triggers_off()
    {
        // With the row triggers disabled, only the daemon's batches (DiscrepancyRows.KeptByBatch) can keep the new quotes' rows.
        var store = fixture.Store;
        var tables = new[] { typeof(QuoteReconciliation), typeof(CustomerMatchView), typeof(ContractReconciliation) }
            .Select(t => store.Options.FindOrResolveDocumentType(t).TableName.QualifiedName).ToList();
        await MigratedDatabase.ExecuteAsync(fixture.ConnectionString, string.Join(" ", tables.Select(t => $"alter table {t} disable trigger user;")));
        try
        {
            await fixture.History.Append(Q2C.Quote("Q-BATCH-OPEN"), Q2C.T0, Q2C.AcceptedQuote("Q-BATCH-OPEN", 1_200m, crm: "hubspot"));
            await fixture.History.Append(Q2C.Quote("Q-BATCH-CLOSED"), Q2C.T0, Q2C.AcceptedQuote("Q-BATCH-CLOSED", 1_300m));
            await fixture.History.Append(Q2C.Order("Q-BATCH-CLOSED"), Q2C.T0 + Duration.FromHours(1), Q2C.Placed("Q-BATCH-CLOSED", 1_300m));
            await fixture.CaughtUpAsync();

            var occurrences = await OccurrencesAsync(store);
            Assert.Contains(occurrences, o => o is { ViewId: "Q-BATCH-OPEN", Crm: "hubspot", Status: "open" });
            Assert.Contains(occurrences, o => o is { ViewId: "Q-BATCH-CLOSED", Status: "closed" });
            Assert.Equal(occurrences, await IndexedAsync(store));

            // By difference: the next write of the model rewrites the rows of the occurrence it changed, not the others'.
            var before = await RowVersionsAsync(store, "Q-BATCH-CLOSED");
            await fixture.History.Append(Q2C.Billing("Q-BATCH-CLOSED"), Q2C.T0 + Duration.FromHours(2), Q2C.Handoff("Q-BATCH-CLOSED", 1_300m));
            await fixture.CaughtUpAsync();
            var after = await RowVersionsAsync(store, "Q-BATCH-CLOSED");
            Assert.Equal(before["QTC-01:1:Q-BATCH-CLOSED"], after["QTC-01:1:Q-BATCH-CLOSED"]);
            Assert.NotEqual(before["QTC-02:1:Q-BATCH-CLOSED"], after["QTC-02:1:Q-BATCH-CLOSED"]);
            Assert.Equal(await OccurrencesAsync(store), await IndexedAsync(store));
        }
        finally
        {
            await MigratedDatabase.ExecuteAsync(fixture.ConnectionString, string.Join(" ", tables.Select(t => $"alter table {t} enable trigger user;")));
        }
    }

    /// <summary>Each occurrence's rows of one view, by occurrence id, as the transactions that wrote them (<c>xmin</c>).</summary>
    private static async Task<Dictionary<string, string>> RowVersionsAsync(IDocumentStore store, string viewId)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"select id, string_agg(xmin::text, ',' order by crm) from {DiscrepancyRows.Table(store.Options.DatabaseSchemaName)} where view_id = @view group by id", connection);
        command.Parameters.AddWithValue("view", viewId);
        await using var reader = await command.ExecuteReaderAsync();
        var versions = new Dictionary<string, string>();
        while (await reader.ReadAsync()) versions[reader.GetString(0)] = reader.GetString(1);
        return versions;
    }

    /// <summary>Every occurrence with each CRM it names, and '' for the row every occurrence has, as the views hold them.</summary>
    private static async Task<List<(string ViewId, string Id, string Crm, string Status)>> OccurrencesAsync(IDocumentStore store)
    {
        await using var session = store.QuerySession();
        var books = (await session.Query<QuoteReconciliation>().ToListAsync()).Select(v => (v.Id, v.Discrepancies))
            .Concat((await session.Query<CustomerMatchView>().ToListAsync()).Select(v => (v.Id, v.Discrepancies)))
            .Concat((await session.Query<ContractReconciliation>().ToListAsync()).Select(v => (v.Id, v.Discrepancies)));
        return books.SelectMany(b => b.Discrepancies.SelectMany(d => d.Crms.Prepend("").Distinct().Select(crm => (b.Id, d.Id, crm, d.Status.ToString().ToLowerInvariant()))))
            .Order().ToList();
    }

    private static async Task<List<(string ViewId, string Id, string Crm, string Status)>> IndexedAsync(IDocumentStore store)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"select view_id, id, crm, status from {DiscrepancyRows.Table(store.Options.DatabaseSchemaName)}", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(string, string, string, string)>();
        while (await reader.ReadAsync()) rows.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
        return rows.Order().ToList();
    }
}
