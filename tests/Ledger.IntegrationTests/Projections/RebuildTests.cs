using System.Net;
using System.Text.Json;
using Ledger.Api;
using Ledger.Api.Projections;
using Ledger.Domain.Approvals;
using Ledger.Domain.Common;
using Ledger.Domain.Quotes;
using Ledger.EventStore;
using Ledger.IntegrationTests.Journeys;
using Ledger.Projections;
using Ledger.Projections.Approvals;
using Ledger.Projections.Quotes;
using Ledger.Projections.Rebuilds;
using Marten.Events.Daemon.Coordination;
using Marten;
using Marten.Events.Projections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
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

        long stoppedAt = 0;
        await coordinator.PauseAsync();
        try
        {
            using var stop = new CancellationTokenSource();
            var pages = 0;
            var progress = new Synchronous(p =>
            {
                if (++pages != 3) return;
                stoppedAt = p.Position;
                stop.Cancel();
            });
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
                OnePassRebuild.RunAsync(store, LedgerProjections.Names, newest, progress, stop.Token, pageSize: 10));
            Assert.InRange(stoppedAt, 1, newest - 1);

            // Stopped mid-way: every projection, and the composite shard they run in, at the third page's end, with the
            // documents folded that far and no further.
            foreach (var name in LedgerProjections.Names.Append(LedgerProjections.CompositeName))
                Assert.Equal(stoppedAt, await ScalarAsync<long>($"select last_seq_id from ledger.mt_event_progression where name = '{name}:All'"));
            var stopped = await DocumentsAsync();
            Assert.InRange(stopped.Count, 1, incremental.Count - 1);
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
    /// The six projections run as one shard of Marten's daemon, the composite (ADR/0029): one shard (tuned as the ledger
    /// tunes it) and one agent, no agent of a projection's own, Marten's progression row of each projection named as the
    /// ledger reads it, and an append moves the shard's row and every projection's together, to the same position.
    /// </summary>
    [Fact]
    public async Task The_projections_run_as_one_shard_and_an_append_moves_every_projections_position_with_it()
    {
        var world = fixture.World;
        await fixture.CaughtUpAsync();
        // (Running again: an earlier test may have paused the coordinator, which starts its agents at its next poll.)
        var daemon = world.Ledger.Services.GetRequiredService<IProjectionCoordinator>().DaemonForMainDatabase();
        var agents = await Eventually(() => Task.FromResult(daemon.CurrentAgents().Select(a => a.Name.Identity).ToList()), a => a.Count > 0);
        Assert.Equal([LedgerProjections.CompositeShard], agents);
        var options = (StoreOptions)fixture.Store.Options;
        options.Projections.TryFindProjection(LedgerProjections.CompositeName, out var registered);
        var composite = Assert.IsType<CompositeProjection>(registered);
        Assert.Equal(LedgerProjections.Names.Select(LedgerProjections.ShardOf), composite.ConstituentShardNames().Select(s => s.Identity));
        // The store's one shard pages and writes with the ledger's tuning (the composite's options; a member's are ignored).
        var shard = Assert.Single(options.Projections.AllShards());
        Assert.Equal(LedgerProjections.CompositeShard, shard.Name.Identity);
        Assert.Equal((ProjectionDaemonTuning.Ledger.PageSize, ProjectionDaemonTuning.Ledger.HopperSize), (shard.Options.BatchSize, shard.Options.MaximumHopperSize));

        var before = await PositionsAsync();
        var quoteId = $"Q-ONE-SHARD-{Guid.NewGuid():N}"[..20];
        await NewHistory().Append(Q2C.Quote(quoteId), Q2C.T0, Q2C.AcceptedQuote(quoteId, 700m));
        await fixture.CaughtUpAsync();
        var after = await PositionsAsync();
        output.WriteLine($"before {string.Join(", ", before)}; after {string.Join(", ", after)}");
        Assert.True(after[LedgerProjections.CompositeShard] > before[LedgerProjections.CompositeShard], "the shard did not move");
        Assert.All(LedgerProjections.Names, n => Assert.Equal(after[LedgerProjections.CompositeShard], after[LedgerProjections.ShardOf(n)]));
    }

    /// <summary>
    /// One projection rebuilt while the shard is behind (paused, events appended meanwhile) is rebuilt through the shard's own
    /// position, not the newest event it was asked for: the shard then applies the events after it to every projection once.
    /// Through the newest event, the shard's batch would fail (the projection's row not where the shard's is) or, were the
    /// row set back, apply the events between twice (the CRM's view would hold the approval request twice). The documents
    /// after appends that follow equal those Marten's daemon builds from the first event.
    /// </summary>
    [Fact]
    public async Task One_projection_rebuilt_while_the_shard_is_behind_applies_nothing_twice_and_skips_nothing()
    {
        var world = fixture.World;
        var coordinator = world.Ledger.Services.GetRequiredService<IProjectionCoordinator>();
        await fixture.CaughtUpAsync();
        var history = NewHistory();
        var quoteId = $"Q-BEHIND-{Guid.NewGuid():N}"[..18];
        await coordinator.PauseAsync();
        try
        {
            // While the shard waits: a quote and its approval request, which the CRM's view would list twice if applied twice.
            await history.Append(Q2C.Quote(quoteId), Q2C.T0, Q2C.Drafted(quoteId), new QuotePriced(new QuoteId(quoteId), 1, Q2C.Price(90_000m), Q2C.T0));
            await history.Append($"approval-{quoteId}-r1", Q2C.T0,
                new ApprovalRequested(quoteId, 1, "alice.rep", Q2C.Fingerprint(90_000m), [ApprovalLevel.DealDesk], "enterprise", "us-east", Q2C.T0));
            await world.Ledger.ReplicatedAsync(); // EventStoreDB mode: the events the pass reads are PostgreSQL's copy
            var shard = (await PositionsAsync())[LedgerProjections.CompositeShard];
            var newest = await ScalarAsync<long>("select max(seq_id) from ledger.mt_events");
            Assert.True(shard < newest, $"the shard is at {shard}, the newest event {newest}: not behind");

            var through = await OnePassRebuild.RunAsync(fixture.Store, [QuoteViewProjection.ProjectionName], newest);
            Assert.Equal(shard, through);
            var positions = await PositionsAsync();
            Assert.Equal(shard, positions[LedgerProjections.ShardOf(QuoteViewProjection.ProjectionName)]);
            Assert.Equal(shard, positions[LedgerProjections.CompositeShard]);
            await using var session = fixture.Store.QuerySession();
            Assert.Null(await session.LoadAsync<QuoteView>(quoteId));
        }
        finally
        {
            await coordinator.ResumeAsync();
        }

        // Appended after the rebuild: reaches the view, and the documents are a fresh projection's.
        var laterId = $"Q-LATER-{Guid.NewGuid():N}"[..17];
        await history.Append(Q2C.Quote(laterId), Q2C.T0, Q2C.AcceptedQuote(laterId, 300m));
        await fixture.CaughtUpAsync();
        await using (var session = fixture.Store.QuerySession())
        {
            Assert.NotNull(await session.LoadAsync<QuoteView>(laterId));
            var view = await session.LoadAsync<QuoteView>(quoteId);
            Assert.NotNull(view);
            Assert.Single(view.ApprovalRequests);
        }
        await AssertLiveEqualsFreshAsync();
    }

    /// <summary>
    /// Before the daemon runs, every projection is brought to the shard's position (<see cref="OnePassRebuild.AlignAsync"/>,
    /// which the API runs at start, ahead of Marten's coordinator, and after every rebuild): here a projection whose pass
    /// stopped half way (behind the shard), and a database of six shards (no composite row) with a projection added since
    /// (no row, no documents). Only those two are rebuilt, through the furthest position the projections had reached; the
    /// shard starts there, and after appends the documents equal a fresh projection's.
    /// </summary>
    [Fact]
    public async Task Projections_not_at_the_shards_position_are_rebuilt_through_it_before_the_daemon_runs()
    {
        var world = fixture.World;
        var hosted = world.Ledger.Services.GetServices<IHostedService>().Select(h => h.GetType()).ToList();
        Assert.True(hosted.IndexOf(typeof(ProjectionAlignment)) is >= 0 and var alignment && alignment < hosted.FindIndex(t => typeof(IProjectionCoordinator).IsAssignableFrom(t)),
            $"the alignment does not start before the projection coordinator: {string.Join(", ", hosted.Select(t => t.Name))}");

        var coordinator = world.Ledger.Services.GetRequiredService<IProjectionCoordinator>();
        await fixture.CaughtUpAsync();
        await coordinator.PauseAsync();
        try
        {
            var shard = (await PositionsAsync())[LedgerProjections.CompositeShard];
            using (var stop = new CancellationTokenSource())
            {
                var pages = 0;
                var progress = new Synchronous(_ => { if (++pages == 2) stop.Cancel(); });
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
                    OnePassRebuild.RunAsync(fixture.Store, [QuoteViewProjection.ProjectionName], null, progress, stop.Token, pageSize: 10));
            }
            await ExecuteAsync($"delete from ledger.mt_event_progression where name in ('{LedgerProjections.CompositeShard}', '{LedgerProjections.ShardOf(ApprovalQueueProjection.ProjectionName)}'); " +
                "truncate ledger.mt_doc_approvalqueueitem");
            var misaligned = await PositionsAsync();
            Assert.InRange(misaligned[LedgerProjections.ShardOf(QuoteViewProjection.ProjectionName)], 1, shard - 1);

            var rebuilt = await OnePassRebuild.AlignAsync(fixture.Store);
            Assert.Equal([ApprovalQueueProjection.ProjectionName, QuoteViewProjection.ProjectionName], rebuilt.Order());
            var aligned = await PositionsAsync();
            Assert.All(LedgerProjections.Names.Append(LedgerProjections.CompositeName), n => Assert.Equal(shard, aligned[LedgerProjections.ShardOf(n)]));
            Assert.Empty(await OnePassRebuild.AlignAsync(fixture.Store));
        }
        finally
        {
            await coordinator.ResumeAsync();
        }

        var quoteId = $"Q-ALIGNED-{Guid.NewGuid():N}"[..19];
        await NewHistory().Append(Q2C.Quote(quoteId), Q2C.T0, Q2C.AcceptedQuote(quoteId, 400m));
        await fixture.CaughtUpAsync();
        await using (var session = fixture.Store.QuerySession())
            Assert.NotNull(await session.LoadAsync<QuoteView>(quoteId));
        await AssertLiveEqualsFreshAsync();
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

    /// <summary>
    /// The live documents and occurrence index equal a fresh projection's: Marten's own daemon (not the one pass) rebuilds the
    /// composite from the first event while this node's daemon is paused.
    /// </summary>
    private async Task AssertLiveEqualsFreshAsync()
    {
        var live = await DocumentsAsync();
        var occurrences = await ViewDocuments.ReadOccurrenceIndexAsync(ConnectionString);
        var coordinator = fixture.World.Ledger.Services.GetRequiredService<IProjectionCoordinator>();
        await coordinator.PauseAsync();
        try
        {
            using var daemon = await fixture.Store.BuildProjectionDaemonAsync();
            await daemon.RebuildProjectionAsync(LedgerProjections.CompositeName, TimeSpan.FromMinutes(2), CancellationToken.None);
            // Marten's rebuild leaves every projection where the composite is (what ProjectionRebuilds' fallback relies on).
            var positions = await PositionsAsync();
            Assert.All(LedgerProjections.Names, n => Assert.Equal(positions[LedgerProjections.CompositeShard], positions[LedgerProjections.ShardOf(n)]));
        }
        finally
        {
            await coordinator.ResumeAsync();
        }
        var fresh = await DocumentsAsync();
        Assert.Equal(fresh.Keys.Order(), live.Keys.Order());
        Assert.All(fresh, d => Assert.Equal(d.Value, live[d.Key]));
        Assert.Equal(await ViewDocuments.ReadOccurrenceIndexAsync(ConnectionString), occurrences);
        await fixture.CaughtUpAsync();
    }

    /// <summary>The positions of the composite shard and of each projection, by row name.</summary>
    private async Task<Dictionary<string, long>> PositionsAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select name, last_seq_id from ledger.mt_event_progression", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var positions = new Dictionary<string, long>();
        while (await reader.ReadAsync()) positions[reader.GetString(0)] = reader.GetInt64(1);
        return positions;
    }

    private History NewHistory() =>
        new(fixture.World.EventStore, fixture.World.Ledger.Services.GetRequiredService<EventSerializer>(), $"rebuild-tests-{Guid.NewGuid():N}");

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(fixture.World.Ledger.Services.GetRequiredService<LedgerSettings>().PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

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

    private string ConnectionString => fixture.World.Ledger.Services.GetRequiredService<LedgerSettings>().PostgresConnectionString;

    private Task<Dictionary<string, string>> DocumentsAsync() => ViewDocuments.ReadAsync(ConnectionString);
}
