using System.Net;
using System.Text.Json;
using Ledger.Api;
using Ledger.Domain.Common;
using Ledger.Domain.Customers;
using Ledger.IntegrationTests.Journeys;
using Ledger.Projections;
using Ledger.Projections.Customers;
using Ledger.Projections.Rebuilds;
using Marten.Events.Daemon.Coordination;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit;
using Xunit.Abstractions;
using static Ledger.IntegrationTests.Journeys.LedgerWorld;

namespace Ledger.IntegrationTests.Projections;

/// <summary>
/// A rebuild replays the event tables from the start through the same code the daemon runs live; the documents it
/// produces must be byte for byte the documents the incremental run produced for the same history.
/// </summary>
public sealed class RebuildTests(ReconciliationWorld fixture, ITestOutputHelper output) : IClassFixture<ReconciliationWorld>
{
    [Fact]
    public async Task Rebuilding_every_projection_gives_the_documents_the_incremental_run_gave()
    {
        var world = fixture.World;
        // Facts that arrive through the API too: a CRM report batch, a billing record batch, finance clearing.
        (await Post(world.Salesforce, "/crm/salesforce/reports/quote-states", new
        {
            reports = new[] { new { quoteId = "Q-ANO", crmOpportunityId = "opp-Q-ANO", status = "Sent", observedAt = ReconciliationHistory.Now.ToString() } },
        })).EnsureAccepted();
        (await Post(world.Billing, "/billing/records", new
        {
            records = new[] { new { recordId = "INV-API-1", orderId = "ord-Q-NOHANDOFF", kind = "Invoice", amount = 3_000.00m, currency = "USD", status = "Issued", observedAt = ReconciliationHistory.Now.ToString() } },
        })).EnsureAccepted();
        (await Post(world.Finance, "/reconciliation/discrepancies/QTC-04:1:Q-FAILED/acknowledge", new { note = "On it" })).EnsureAccepted();
        await fixture.CaughtUpAsync();

        var incremental = await DocumentsAsync();
        Assert.True(incremental.Count > 20, $"only {incremental.Count} documents");
        var occurrences = await ViewDocuments.ReadOccurrenceIndexAsync(ConnectionString);
        Assert.True(occurrences.Count > 5, $"only {occurrences.Count} occurrences indexed");

        // Damage the views so that only a real replay can give the documents back.
        await ExecuteAsync("delete from ledger.mt_doc_quoteview where id = 'Q-MISMATCH'; delete from ledger.mt_doc_quotereconciliation where id = 'Q-MISMATCH'; update ledger.mt_doc_customermatchview set data = '{}'; delete from ledger.mt_doc_approvalqueueitem");
        Assert.NotEqual(incremental.Count, (await DocumentsAsync()).Count);

        foreach (var name in LedgerProjections.Names)
            Assert.Equal(HttpStatusCode.Accepted, (await Post(world.Admin, $"/projections/{name}/rebuild")).StatusCode);
        var statuses = await Eventually(async () => (await (await world.Admin.GetAsync("/projections")).EnsureAccepted().Json()).EnumerateArray().ToList(),
            list => list.All(p => p.GetProperty("rebuild").ValueKind == JsonValueKind.Object && p.GetProperty("rebuild").GetProperty("status").GetString() != "Running"));
        foreach (var s in statuses) output.WriteLine(s.ToString());
        Assert.All(statuses, s => Assert.Equal("Completed", s.GetProperty("rebuild").GetProperty("status").GetString()));
        await fixture.CaughtUpAsync();

        var rebuilt = await DocumentsAsync();
        output.WriteLine($"{incremental.Count} documents incrementally, {rebuilt.Count} rebuilt");
        Assert.Equal(incremental.Keys.Order(), rebuilt.Keys.Order());
        Assert.All(incremental, d => Assert.Equal(d.Value, rebuilt[d.Key]));
        // The occurrence index the views' triggers keep is rebuilt with them (the bulk writes fire the row triggers).
        Assert.Equal(occurrences, await ViewDocuments.ReadOccurrenceIndexAsync(ConnectionString));
    }

    [Fact]
    public async Task Rebuilding_all_in_one_pass_gives_the_documents_the_incremental_run_gave_and_hands_them_back()
    {
        var world = fixture.World;
        await fixture.CaughtUpAsync();
        var incremental = await DocumentsAsync();
        var occurrences = await ViewDocuments.ReadOccurrenceIndexAsync(ConnectionString);
        var indexes = await SecondaryIndexesAsync();
        await ExecuteAsync("delete from ledger.mt_doc_quoteview; delete from ledger.mt_doc_quotereconciliation; delete from ledger.mt_doc_contractview; delete from ledger.mt_doc_contractreconciliation");
        Assert.NotEqual(incremental.Count, (await DocumentsAsync()).Count);

        Assert.Equal(HttpStatusCode.Accepted, (await Post(world.Admin, "/projections/rebuild")).StatusCode);
        var statuses = await Eventually(async () => (await (await world.Admin.GetAsync("/projections")).EnsureAccepted().Json()).EnumerateArray().ToList(),
            list => list.All(p => p.GetProperty("rebuild").ValueKind == JsonValueKind.Object && p.GetProperty("rebuild").GetProperty("status").GetString() != "Running"));
        Assert.All(statuses, s => Assert.Equal("Completed", s.GetProperty("rebuild").GetProperty("status").GetString()));
        await fixture.CaughtUpAsync();

        var rebuilt = await DocumentsAsync();
        Assert.Equal(incremental.Keys.Order(), rebuilt.Keys.Order());
        Assert.All(incremental, d => Assert.Equal(d.Value, rebuilt[d.Key]));
        Assert.Equal(occurrences, await ViewDocuments.ReadOccurrenceIndexAsync(ConnectionString));
        // The indexes the pass set aside are built again, as they were.
        Assert.Equal(indexes, await SecondaryIndexesAsync());
        // Every projection's position is where the pass stopped or later: nothing behind.
        await world.NoProjectionBehindAsync();
    }

    /// <summary>
    /// A pass stopped between two pages (here cancelled as soon as its third page is committed, the instant a kill would land
    /// in the old two-transaction window) leaves every projection's documents exactly as of its position: each page's
    /// documents and positions commit together. The live daemon then goes on from that position, not from the start and
    /// not a page twice, and ends with the documents and occurrence index the incremental run gave.
    /// </summary>
    [Fact]
    public async Task A_pass_stopped_between_pages_leaves_each_projection_at_its_position_and_the_daemon_goes_on_to_the_live_documents()
    {
        var world = fixture.World;
        await fixture.CaughtUpAsync();
        var incremental = await DocumentsAsync();
        var occurrences = await ViewDocuments.ReadOccurrenceIndexAsync(ConnectionString);
        var store = world.Ledger.Services.GetRequiredService<IDocumentStore>();
        var coordinator = world.Ledger.Services.GetRequiredService<IProjectionCoordinator>();
        var newest = await ScalarAsync<long>("select max(seq_id) from ledger.mt_events");
        var indexes = await SecondaryIndexesAsync();
        Assert.Contains(indexes, i => i.Contains("ledger_discrepancy_rows_list"));
        Assert.Contains(indexes, i => i.Contains("ledger_discrepancy_rows_owner"));

        long stoppedAt = 0;
        IReadOnlyList<string> duringThePass = [];
        await coordinator.PauseAsync();
        try
        {
            using var stop = new CancellationTokenSource();
            var pages = 0;
            var progress = new Synchronous(p =>
            {
                if (++pages == 1) duringThePass = SecondaryIndexesAsync().GetAwaiter().GetResult();
                if (pages != 3) return;
                stoppedAt = p.Position;
                stop.Cancel();
            });
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
                OnePassRebuild.RunAsync(store, LedgerProjections.Names, newest, progress, stop.Token, pageSize: 10));
            Assert.InRange(stoppedAt, 1, newest - 1);

            // Stopped mid-way: every projection at the third page's end, with the documents folded that far and no further.
            foreach (var name in LedgerProjections.Names)
                Assert.Equal(stoppedAt, await ScalarAsync<long>($"select last_seq_id from ledger.mt_event_progression where name = '{name}:All'"));
            var stopped = await DocumentsAsync();
            Assert.InRange(stopped.Count, 1, incremental.Count - 1);
            // While the pass wrote, the occurrence index's list indexes were set aside, and nothing else; stopped, it built them again.
            Assert.Equal(indexes.Where(i => !i.Contains("ledger_discrepancy_rows_list") && !i.Contains("ledger_discrepancy_rows_owner")), duringThePass);
            Assert.Equal(indexes, await SecondaryIndexesAsync());
        }
        finally
        {
            await coordinator.ResumeAsync();
        }

        await fixture.CaughtUpAsync();
        var resumed = await DocumentsAsync();
        Assert.Equal(incremental.Keys.Order(), resumed.Keys.Order());
        Assert.All(incremental, d => Assert.Equal(d.Value, resumed[d.Key]));
        Assert.Equal(occurrences, await ViewDocuments.ReadOccurrenceIndexAsync(ConnectionString));
    }

    /// <summary>
    /// The pass folds a page while the page before it is still being written. In pages of one to a few events, documents
    /// are touched on many pages in a row, held from one page to the next, rewritten and loaded back; and a customer merge,
    /// which finds the merged customer's quotes by query, comes on the page right after that customer's quote was drafted,
    /// so it must wait for that page's write. The documents and the occurrence index must still be the incremental run's.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(8)]
    public async Task Rebuilding_in_small_pages_folded_while_the_page_before_is_written_gives_the_incremental_documents(int pageSize)
    {
        var world = fixture.World;
        if (await ScalarAsync<long>("select count(*) from ledger.mt_streams where id = 'customer-cust-Q-MERGED-ON-NEXT-PAGE'") == 0)
        {
            await fixture.History.Append("quote-Q-MERGED-ON-NEXT-PAGE", ReconciliationHistory.Now, Q2C.Drafted("Q-MERGED-ON-NEXT-PAGE"));
            await fixture.History.Append("customer-cust-Q-MERGED-ON-NEXT-PAGE", ReconciliationHistory.Now,
                new CustomerMerged(new CustomerId("cust-Q-MERGED-ON-NEXT-PAGE"), new CustomerId("cust-globex"), [], "mdm", Q2C.T0));
        }
        await fixture.CaughtUpAsync();
        var incremental = await DocumentsAsync();
        Assert.Contains("\"customerId\": \"cust-globex\"", incremental["QuoteView/Q-MERGED-ON-NEXT-PAGE"]);
        var occurrences = await ViewDocuments.ReadOccurrenceIndexAsync(ConnectionString);
        var store = world.Ledger.Services.GetRequiredService<IDocumentStore>();
        var coordinator = world.Ledger.Services.GetRequiredService<IProjectionCoordinator>();
        var newest = await ScalarAsync<long>("select max(seq_id) from ledger.mt_events");
        long committed = 0, pages = 0;
        await coordinator.PauseAsync();
        try
        {
            await OnePassRebuild.RunAsync(store, LedgerProjections.Names, newest, new Synchronous(p =>
            {
                // Reported as each page commits, in order.
                Assert.True(p.Position >= committed, $"position {p.Position} reported after {committed}");
                committed = p.Position;
                pages++;
            }), pageSize: pageSize);
        }
        finally
        {
            await coordinator.ResumeAsync();
        }
        Assert.Equal(newest, committed);
        Assert.True(pages > 10, $"only {pages} pages");
        await fixture.CaughtUpAsync();
        var rebuilt = await DocumentsAsync();
        Assert.Equal(incremental.Keys.Order(), rebuilt.Keys.Order());
        Assert.All(incremental, d => Assert.Equal(d.Value, rebuilt[d.Key]));
        Assert.Equal(occurrences, await ViewDocuments.ReadOccurrenceIndexAsync(ConnectionString));
    }

    /// <summary>
    /// A pass over one projection that keeps discrepancies adds its rows to an occurrence index the others still fill: the list
    /// indexes stay in place (building them over every row again would cost more than the few rows save).
    /// </summary>
    [Fact]
    public async Task A_pass_over_one_projection_keeps_the_list_indexes_of_an_occurrence_index_others_fill()
    {
        var world = fixture.World;
        await fixture.CaughtUpAsync();
        var store = world.Ledger.Services.GetRequiredService<IDocumentStore>();
        var coordinator = world.Ledger.Services.GetRequiredService<IProjectionCoordinator>();
        Assert.True(await ScalarAsync<long>("select count(*) from ledger.ledger_discrepancy_rows where source <> 'mt_doc_customermatchview'") > 0);
        var indexes = await SecondaryIndexesAsync();
        IReadOnlyList<string> duringThePass = [];
        await coordinator.PauseAsync();
        try
        {
            await OnePassRebuild.RunAsync(store, [CustomerMatchProjection.ProjectionName],
                progress: new Synchronous(_ => duringThePass = SecondaryIndexesAsync().GetAwaiter().GetResult()));
        }
        finally
        {
            await coordinator.ResumeAsync();
        }
        Assert.Equal(indexes, duringThePass);
    }

    /// <summary>
    /// A write-only node (no projection daemon, <c>Ledger:Projections:RunDaemon=false</c>) starts and takes commands that the
    /// projecting node shows; asked to rebuild, it refuses and points at a node that projects (its pass would race that daemon).
    /// </summary>
    [Fact]
    public async Task A_write_only_node_takes_commands_the_projecting_node_shows_and_refuses_to_rebuild()
    {
        var world = fixture.World;
        var writeOnly = await world.StartAnotherNodeAsync(new Dictionary<string, string?> { ["Ledger:Projections:RunDaemon"] = "false" });
        var quoteId = $"Q-WRITE-ONLY-{Guid.NewGuid():N}"[..22];
        (await Post(writeOnly.ClientWithKey(SalesforceKey), "/quotes", QuoteToCashJourneyTests.Draft(quoteId, "EUR", "Europe/Berlin"))).EnsureAccepted();
        var view = await Eventually(() => world.Salesforce.GetAsync($"/crm/salesforce/quotes/{quoteId}"), r => r.StatusCode == HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, view.StatusCode);

        foreach (var path in new[] { "/projections/rebuild", "/projections/quote-view/rebuild" })
        {
            var refused = await Post(writeOnly.ClientWithKey(AdminKey), path);
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Equal("projection.no-daemon-here", (await refused.Json()).GetProperty("code").GetString());
        }
    }

    [Fact]
    public async Task After_a_rebuild_the_projection_goes_on_projecting_new_events()
    {
        var world = fixture.World;
        Assert.Equal(HttpStatusCode.Accepted, (await Post(world.Admin, "/projections/quote-view/rebuild")).StatusCode);
        var rebuilt = await Eventually(async () => (await (await world.Admin.GetAsync("/projections")).EnsureAccepted().Json()).EnumerateArray()
                .Single(p => p.GetProperty("name").GetString() == "quote-view"),
            p => p.GetProperty("rebuild").ValueKind == JsonValueKind.Object && p.GetProperty("rebuild").GetProperty("status").GetString() != "Running");
        Assert.Equal("Completed", rebuilt.GetProperty("rebuild").GetProperty("status").GetString());

        // A quote drafted after the rebuild shows in its CRM's view: the live agent runs again (it used to stay stopped).
        var quoteId = $"Q-AFTER-REBUILD-{Guid.NewGuid():N}"[..24];
        (await Post(world.Salesforce, "/quotes", QuoteToCashJourneyTests.Draft(quoteId, "EUR", "Europe/Berlin"))).EnsureAccepted();
        var view = await Eventually(() => world.Salesforce.GetAsync($"/crm/salesforce/quotes/{quoteId}"), r => r.StatusCode == HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, view.StatusCode);
        await world.NoProjectionBehindAsync();
    }

    [Fact]
    public async Task Ledger_projections_rebuild_rebuilds_every_projection_with_its_rate_and_hands_them_back()
    {
        var world = fixture.World;
        var home = Path.Combine(Path.GetTempPath(), $"ledger-rebuild-cli-{Guid.NewGuid():N}");
        Directory.CreateDirectory(home);
        try
        {
            var run = await Ledger.IntegrationTests.CommandLine.LedgerCommand.RunAsync(home, world.Ledger.Address.ToString(), ["projections", "rebuild"],
                ("LEDGER_API_KEY", AdminKey));
            output.WriteLine(run.Output);
            Assert.True(run.ExitCode == 0, run.Output);
            // Each projection's last line: how far it was rebuilt and at what rate (wrapped at the console's width when the name is long).
            var lines = System.Text.RegularExpressions.Regex.Replace(run.Output, @"\s+", " ");
            foreach (var name in LedgerProjections.Names)
                Assert.Matches($@"{System.Text.RegularExpressions.Regex.Escape(name)}: rebuilt through event [\d,]+ of [\d,]+ \([\d,]+ events/s while it ran", lines);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }

        // Handed back to the live daemon: a quote drafted now reaches its CRM's view.
        var quoteId = $"Q-AFTER-CLI-{Guid.NewGuid():N}"[..20];
        (await Post(world.Salesforce, "/quotes", QuoteToCashJourneyTests.Draft(quoteId, "EUR", "Europe/Berlin"))).EnsureAccepted();
        var view = await Eventually(() => world.Salesforce.GetAsync($"/crm/salesforce/quotes/{quoteId}"), r => r.StatusCode == HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, view.StatusCode);
    }

    [Fact]
    public async Task A_rebuild_of_an_unknown_projection_is_404_and_the_lag_shows_in_health_and_metrics()
    {
        var world = fixture.World;
        var unknown = await Post(world.Admin, "/projections/nope/rebuild");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("name", (await unknown.Json()).GetProperty("field").GetString());

        await fixture.CaughtUpAsync();
        var health = await (await world.Ledger.Http.GetAsync("/health")).Json();
        var projections = health.GetProperty("checks").GetProperty("projections");
        Assert.Equal("Healthy", projections.GetProperty("status").GetString());
        foreach (var name in LedgerProjections.Names)
            Assert.Equal(0, projections.GetProperty("data").GetProperty(name).GetProperty("eventsBehind").GetInt64());

        var metrics = await world.Ledger.Http.GetStringAsync("/metrics");
        Assert.Contains("ledger_projection_lag_events", metrics);
        Assert.Contains("projection=\"quote-view\"", metrics);
    }

    /// <summary>Every index of the ledger's schema that is neither a primary key nor unique: table and definition, ordered.</summary>
    private async Task<IReadOnlyList<string>> SecondaryIndexesAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            select format('%I.%I', n.nspname, t.relname) || ': ' || pg_get_indexdef(i.indexrelid)
            from pg_index i join pg_class t on t.oid = i.indrelid join pg_namespace n on n.oid = t.relnamespace
            where n.nspname = 'ledger' and not i.indisprimary and not i.indisunique order by 1
            """, connection);
        var found = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) found.Add(reader.GetString(0));
        return found;
    }

    private Task ExecuteAsync(string sql) => MigratedDatabase.ExecuteAsync(ConnectionString, sql);

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)Convert.ChangeType((await command.ExecuteScalarAsync())!, typeof(T));
    }

    /// <summary>Reports on the pass's own thread, as each page commits (<see cref="Progress{T}"/> would post it later).</summary>
    private sealed class Synchronous(Action<RebuildProgress> report) : IProgress<RebuildProgress>
    {
        public void Report(RebuildProgress value) => report(value);
    }

    private string ConnectionString => fixture.ConnectionString;

    private Task<Dictionary<string, string>> DocumentsAsync() => ViewDocuments.ReadAsync(ConnectionString);
}
